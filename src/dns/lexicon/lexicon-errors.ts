import { CertfleetError } from '../../errors.js';
import { didYouMeanHint } from '../../did-you-mean.js';
import { INSTALL_HINT, type HelperError } from './lexicon-client.js';

/** An unknown option's complaint: which, the nearest known name, and the provider's whole list. */
export function unknownOptionMessage(provider: string, option: string, known: readonly string[]): string {
  return `lexicon provider ${provider} has no option ${JSON.stringify(option)}${didYouMeanHint(option, known)}; its options: ${known.join(', ') || 'none'}`;
}

export function unknownProviderMessage(provider: string, providers: readonly string[]): string {
  return `lexicon has no provider ${JSON.stringify(provider)}${didYouMeanHint(provider, providers)}; \`lexicon --help\` lists them`;
}

export function noLexiconMessage(python: string): string {
  return `lexicon is not installed for ${python}: ${INSTALL_HINT}, or set python: to the Python that has it`;
}

/** The helper's failure as certfleet's typed error; `where` names the provider, the zone and the action. */
export function helperFailure(error: HelperError, where: string, python: string, provider: string): CertfleetError {
  switch (error.kind) {
    case 'auth':
      return new CertfleetError('DNS_AUTH', `${where}: the provider refused the credentials: ${error.message}`);
    case 'zone':
      return new CertfleetError('DNS_ZONE_NOT_FOUND', `${where}: the provider does not serve the zone: ${error.message}`);
    case 'no_lexicon':
      return new CertfleetError('DNS_PROVIDER', `${where}: ${noLexiconMessage(python)}`);
    case 'unknown_provider':
      return new CertfleetError('DNS_PROVIDER', `${where}: ${unknownProviderMessage(provider, error.providers ?? [])}`);
    case 'unavailable':
      return new CertfleetError('DNS_PROVIDER', `${where}: ${error.message}; \`pip install 'dns-lexicon[${provider}]'\` adds them`);
    case 'bad_option':
      return new CertfleetError('DNS_PROVIDER', `${where}: ${(error.unknown ?? []).map((o) => unknownOptionMessage(provider, o, error.known ?? [])).join('; ')}`);
    case 'provider':
    case 'protocol':
      return new CertfleetError('DNS_PROVIDER', `${where}: ${error.message}`, { retryable: error.retryable });
  }
}
