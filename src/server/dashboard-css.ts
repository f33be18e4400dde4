/**
 * The dashboard's only stylesheet, served from /dashboard.css ('self' in the CSP; no inline
 * style, so no style-src 'unsafe-inline'). Narrow screens get one card per certificate.
 */
export const DASHBOARD_CSS = `:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#4f5863;--line:#d0d7de;--ok:#1a7f37;--warn:#8a5a00;--bad:#b3261e;--accent:#0b57d0}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9ba6b1;--line:#30363d;--ok:#3fb950;--warn:#d29922;--bad:#f85149;--accent:#58a6ff}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.5rem 1.5rem;border-bottom:1px solid var(--line)}
header h1{font-size:1.25rem;margin:.75rem 0}
header a{color:inherit;text-decoration:none}
a{color:var(--accent)}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.summary{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;margin:.75rem 0;padding:0;list-style:none}
table{border-collapse:collapse;width:100%}
caption{text-align:left;color:var(--muted);padding:.25rem 0}
th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid var(--line)}
th{font-weight:600}
td.error{color:var(--bad);overflow-wrap:anywhere;max-width:28rem}
.muted{color:var(--muted)}
.status{font-weight:600;white-space:nowrap}
.status-valid{color:var(--ok)}.status-due{color:var(--warn)}.status-failing,.status-expired{color:var(--bad)}.status-not-issued{color:var(--muted)}
.domains{margin:0;padding:0;list-style:none;overflow-wrap:break-word}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}
.chart-box{overflow-x:auto}
.chart{width:100%;height:auto;min-width:34rem}
.chart text{fill:var(--fg);font-size:12px}
.chart .axis{stroke:var(--line)}
.chart .bar-valid{fill:var(--ok)}.chart .bar-due{fill:var(--warn)}.chart .bar-failing,.chart .bar-expired{fill:var(--bad)}.chart .bar-not-issued{fill:var(--muted)}
.chart .renew{stroke:var(--fg);stroke-width:2}
ol.events{padding-left:1.25rem}
form.login{display:grid;gap:.5rem;max-width:22rem;margin:2rem 0}
form.login input{font:inherit;padding:.5rem;border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg)}
form.login button{font:inherit;padding:.5rem;border:0;border-radius:4px;background:var(--accent);color:#fff}
.alert{color:var(--bad);font-weight:600}
footer{color:var(--muted);padding:1.5rem 1rem}
@media (max-width:40rem){
table.certificates thead{position:absolute;left:-10000px}
table.certificates tr{display:block;border-bottom:1px solid var(--line);padding:.5rem 0}
table.certificates td{display:grid;grid-template-columns:8.5rem 1fr;gap:.5rem;border:0;padding:.15rem 0;max-width:none}
table.certificates td::before{content:attr(data-label);font-weight:600;color:var(--fg)}
}
`;

