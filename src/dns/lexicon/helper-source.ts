/**
 * The helper that drives dns-lexicon, run as `python3 -c HELPER_SOURCE`: a string, so it travels
 * inside the esbuild bundle and a single executable with no file to find at run time (it holds
 * nothing secret). It reads one request as JSON on stdin and writes one answer as JSON on stdout:
 *
 *   {"action": "describe"}
 *     -> {"ok": true, "version", "stamp", "providers": {name: {"available", "options": [...]}}}
 *   {"action": "append"|"delete", "provider", "zone", "options": [names], "records": [{"name", "type", "content", "ttl"}]}
 *     -> {"ok": true, "done": [indices of the records created, or deleted]}
 *   any failure -> {"ok": false, "error": {"kind", "message", "retryable", ...}}
 *
 * Option values never come on stdin: lexicon reads them from LEXICON_<PROVIDER>_<OPTION> in the
 * helper's environment. The provider class is built on a ConfigResolver of that environment and
 * the zone certfleet found, not through lexicon's Client, which would also read lexicon.yml from
 * the working directory and ask tldextract (and the network) for the zone.
 */
export const HELPER_SOURCE = String.raw`
import sys
# python3 -c puts the working directory first on sys.path: a lexicon.py there must not be imported.
sys.path = [p for p in sys.path if p not in ("", ".")]
import json
# The answer alone goes to stdout: whatever a provider module prints goes to stderr, and so to the log.
out, sys.stdout = sys.stdout, sys.stderr

def answer(obj):
    out.write(json.dumps(obj))
    out.flush()
    sys.exit(0)

def fail(kind, message, retryable=False, **extra):
    error = {"kind": kind, "message": message[:1000], "retryable": retryable}
    error.update(extra)
    answer({"ok": False, "error": error})

try:
    request = json.load(sys.stdin)
except Exception as e:
    fail("protocol", "bad request: %s" % e)

try:
    import argparse, importlib, logging, os, re
    from lexicon import discovery
    from lexicon.config import ConfigResolver
    from lexicon.exceptions import AuthenticationError
except ImportError as e:
    fail("no_lexicon", "cannot import lexicon: %s" % e)

logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")

def options_of(module):
    parser = argparse.ArgumentParser(add_help=False)
    module.provider_parser(parser)
    return [a.dest for a in parser._actions]

def stamp():
    # What certfleet's cache of this answer is checked against: the installed distribution's
    # metadata directory (its name carries the version), else lexicon's own directory.
    try:
        from importlib.metadata import distribution
        path = getattr(distribution("dns-lexicon"), "_path", None)
        if path is not None:
            return str(path)
    except Exception:
        pass
    import lexicon
    return os.path.dirname(lexicon.__file__)

def describe():
    providers = {}
    for name, available in discovery.find_providers().items():
        try:
            providers[name] = {"available": bool(available), "options": options_of(importlib.import_module("lexicon.providers." + name))}
        except Exception:
            # A module that cannot even be imported lacks a dependency: unusable, options unknown.
            providers[name] = {"available": False, "options": []}
    answer({"ok": True, "version": discovery.lexicon_version(), "stamp": stamp(), "providers": providers})

ZONE_MISSING = re.compile(r"not found|no such|unknown (domain|zone)|does not exist|not managed|invalid domain", re.I)

def classify(e, phase):
    """kind and retryable for an exception of a lexicon provider"""
    if isinstance(e, AuthenticationError):
        return "auth", False
    try:
        import requests
        if isinstance(e, requests.exceptions.HTTPError) and e.response is not None:
            status = e.response.status_code
            if status in (401, 403):
                return "auth", False
            if phase == "authenticate" and status in (404, 422):
                return "zone", False
            return "provider", status in (408, 429) or status >= 500
        if isinstance(e, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
            return "provider", True
    except ImportError:
        pass
    if isinstance(e, (ConnectionError, TimeoutError)):
        return "provider", True
    if phase == "authenticate" and ZONE_MISSING.search(str(e)):
        return "zone", False
    return "provider", False

def unquoted(content):
    # Some providers list TXT contents with their quotes.
    if len(content) >= 2 and content[0] == '"' and content[-1] == '"':
        return content[1:-1]
    return content

def change(request):
    name = request["provider"]
    found = discovery.find_providers()
    if name not in found:
        fail("unknown_provider", "lexicon has no provider %s" % name, providers=sorted(found))
    if not found[name]:
        fail("unavailable", "lexicon provider %s needs Python packages that are not installed" % name)
    try:
        module = importlib.import_module("lexicon.providers." + name)
    except ImportError as e:
        fail("unavailable", "lexicon provider %s cannot be loaded: %s" % (name, e))
    known = options_of(module)
    unknown = sorted(set(request["options"]) - set(known))
    if unknown:
        fail("bad_option", "unknown options for lexicon provider %s" % name, unknown=unknown, known=known)
    # A dict the resolver keeps a reference to: the TTL is set per record before each create.
    runtime = {"provider_name": name, "domain": request["zone"], "ttl": 60}
    phase = "authenticate"
    try:
        provider = module.Provider(ConfigResolver().with_dict(runtime).with_env())
        provider.authenticate()
        phase = "change"
        done = []
        existing = {}
        for i, r in enumerate(request["records"]):
            key = (r["type"], r["name"])
            if key not in existing:
                existing[key] = set(unquoted(x.get("content", "")) for x in provider.list_records(r["type"], r["name"]))
            there = r["content"] in existing[key]
            if request["action"] == "append" and not there:
                runtime["ttl"] = r["ttl"]
                provider.create_record(r["type"], r["name"], r["content"])
                existing[key].add(r["content"])
                done.append(i)
            elif request["action"] == "delete" and there:
                provider.delete_record(None, r["type"], r["name"], r["content"])
                existing[key].discard(r["content"])
                done.append(i)
        answer({"ok": True, "done": done})
    except Exception as e:
        kind, retryable = classify(e, phase)
        fail(kind, "%s: %s" % (type(e).__name__, e), retryable, phase=phase)

if request.get("action") == "describe":
    describe()
elif request.get("action") in ("append", "delete"):
    change(request)
else:
    fail("protocol", "unknown action")
`;
