/**
 * report.html: one self-contained file (no network: styles, script and
 * data inline). A matrix per machine family, source build down, destination
 * build across, each square coloured by its worst cell; click a square for
 * its cells (verdict, error, stream size, state diff); filter by machine
 * type and class. The data is the result model itself, embedded as JSON;
 * every text reaches the page through textContent, never as markup.
 */
import type { MatrixResult } from './model.js';

/** JSON that is safe inside a <script> element (no `</script>`, no `<!--`). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em;margin:0 0 .3em}
.totals span{display:inline-block;margin-right:1em;padding:.15em .5em;border-radius:3px}
.pass{background:#c8e6c9}.expected-break{background:#fff3b0}.regression{background:#ef9a9a;font-weight:bold}.harness-error{background:#e1bee7}.none{background:#f4f4f4}
.filters{margin:1em 0}.filters label{margin-right:1.5em}
section.family{margin:1.5em 0}
table.matrix{border-collapse:collapse;font-size:12px}
table.matrix th{font-weight:normal;padding:2px 4px;color:#555}
table.matrix th.row{text-align:right}
table.matrix td{width:2.4em;height:1.6em;text-align:center;border:1px solid #fff;cursor:pointer}
table.matrix td.none{cursor:default;color:#bbb}
table.matrix td.selected{outline:2px solid #1565c0}
#details{margin-top:1.5em;border-top:1px solid #ccc;padding-top:1em}
#details .cell{margin:.6em 0;padding:.5em;border-left:4px solid #999;font-weight:normal}
#details .cell.regression{border-color:#c62828;background:#fff}
#details .cell.pass{border-color:#2e7d32;background:#fff}
#details .cell.expected-break{border-color:#f9a825;background:#fff}
#details .cell.harness-error{border-color:#6a1b9a;background:#fff}
pre.diff{background:#f7f7f7;padding:.5em;overflow:auto;max-height:30em;font-size:12px}
.dim{color:#777}
`;

/* The page script: plain ES2020 DOM code; it only reads the embedded JSON. */
const SCRIPT = String.raw`
(function(){
  var data = JSON.parse(document.getElementById('result-data').textContent);
  var ORDER = ['regression','harness-error','expected-break','pass'];
  var buildOrder = {}; data.builds.forEach(function(b,i){ buildOrder[b.name]=i; });
  var filterMachine = document.getElementById('filter-machine');
  var filterClass = document.getElementById('filter-class');
  var matrices = document.getElementById('matrices');
  var details = document.getElementById('details');
  var machines = Array.from(new Set(data.cells.map(function(c){return c.machine;}))).sort();
  machines.forEach(function(m){ var o=document.createElement('option'); o.value=m; o.textContent=m; filterMachine.appendChild(o); });
  function el(tag, cls, text){ var e=document.createElement(tag); if(cls) e.className=cls; if(text!==undefined) e.textContent=text; return e; }
  function visible(c){ return (filterMachine.value==='' || c.machine===filterMachine.value) && (filterClass.value==='' || c.class===filterClass.value); }
  function worst(cells){ for (var i=0;i<ORDER.length;i++){ for (var j=0;j<cells.length;j++) if (cells[j].class===ORDER[i]) return ORDER[i]; } return 'none'; }
  function verdictText(v){ if(v.kind==='accepted') return 'accepted'; if(v.kind==='refused') return 'refused: '+v.code+': '+v.message; return v.kind+': '+v.message; }
  function route(c){ return c.direction==='round-trip' ? c.from+' -> '+c.to+' -> '+c.from : c.from+' -> '+c.to; }
  function bytes(n){ return n<1024? n+' B' : n<1048576 ? (n/1024).toFixed(1)+' KiB' : (n/1048576).toFixed(1)+' MiB'; }
  function showDetails(cells, title){
    details.textContent='';
    details.appendChild(el('h2', null, title));
    var shown = cells.slice().sort(function(a,b){ return ORDER.indexOf(a.class)-ORDER.indexOf(b.class); });
    shown.forEach(function(c){
      var d = el('div','cell '+c.class); d.setAttribute('data-cell-id', c.id); d.setAttribute('data-class', c.class);
      d.appendChild(el('div', null, c.machine+'  '+route(c)+' ('+c.direction+')'+(c.devices.length? ' ['+c.devices.join(' ')+']' : '')));
      d.appendChild(el('div', 'class', 'class: '+c.class));
      d.appendChild(el('div', 'verdict', 'verdict: '+verdictText(c.verdict)));
      if (c.leg) d.appendChild(el('div', 'dim', 'deciding leg: '+c.leg.from+' -> '+c.leg.to));
      d.appendChild(el('div', 'dim', 'stream '+bytes(c.streamBytes)+', save '+c.timings.saveMs.toFixed(1)+' ms, load '+c.timings.loadMs.toFixed(1)+' ms'));
      d.appendChild(el('div', 'note', c.note));
      if (c.expected) d.appendChild(el('div', 'expected', 'expected break '+c.expected.id+' ('+c.expected.manifest+'): '+c.expected.reason));
      if (c.diff) d.appendChild(el('pre', 'diff', c.diff));
      details.appendChild(d);
    });
  }
  function render(){
    matrices.textContent='';
    var cells = data.cells.filter(visible);
    document.getElementById('shown-count').textContent = String(cells.length);
    var families = {};
    cells.forEach(function(c){ (families[c.family] = families[c.family] || []).push(c); });
    Object.keys(families).sort().forEach(function(fam){
      var fc = families[fam];
      var sec = el('section','family'); sec.setAttribute('data-family', fam);
      var counts = {}; fc.forEach(function(c){ counts[c.class]=(counts[c.class]||0)+1; });
      sec.appendChild(el('h2', null, fam+' ('+fc.length+' cells: '+ORDER.filter(function(k){return counts[k];}).map(function(k){return counts[k]+' '+k;}).join(', ')+')'));
      var names = Array.from(new Set(fc.map(function(c){return c.from;}).concat(fc.map(function(c){return c.to;})))).sort(function(a,b){return buildOrder[a]-buildOrder[b];});
      var byPair = {}; fc.forEach(function(c){ var k=c.from+'\u0000'+c.to; (byPair[k]=byPair[k]||[]).push(c); });
      var table = el('table','matrix'); var head = el('tr'); head.appendChild(el('th', null, 'from \\ to'));
      names.forEach(function(n){ head.appendChild(el('th', null, n)); }); table.appendChild(head);
      names.forEach(function(from){
        var tr = el('tr'); tr.appendChild(el('th','row', from));
        names.forEach(function(to){
          var pc = byPair[from+'\u0000'+to] || [];
          var cls = worst(pc); var td = el('td', cls, pc.length? String(pc.length) : '');
          td.setAttribute('data-from', from); td.setAttribute('data-to', to); td.setAttribute('data-class', cls);
          td.title = from+' -> '+to+': '+pc.length+' cells';
          if (pc.length) td.addEventListener('click', function(){
            Array.prototype.forEach.call(document.querySelectorAll('td.selected'), function(x){ x.classList.remove('selected'); });
            td.classList.add('selected');
            showDetails(pc, fam+': '+from+' -> '+to);
          });
          tr.appendChild(td);
        });
        table.appendChild(tr);
      });
      sec.appendChild(table); matrices.appendChild(sec);
    });
  }
  filterMachine.addEventListener('change', render);
  filterClass.addEventListener('change', render);
  render();
})();
`;

export function renderHtml(result: MatrixResult): string {
  const t = result.totals;
  const title = `migcompat matrix ${result.runId}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<div class="dim">${escapeHtml(`${result.builds.length} builds, engine ${result.engine}, ${(result.timings.wallMs / 1000).toFixed(1)} s, migcompat ${result.tool.version}`)}</div>
<p class="totals">
<span class="none">cells <b id="count-total">${t.cells}</b></span>
<span class="pass">pass <b id="count-pass">${t.pass}</b></span>
<span class="expected-break">expected break <b id="count-expected-break">${t['expected-break']}</b></span>
<span class="regression">regression <b id="count-regression">${t.regression}</b></span>
<span class="harness-error">harness error <b id="count-harness-error">${t['harness-error']}</b></span>
</p>
<div class="filters">
<label>machine type <select id="filter-machine"><option value="">all</option></select></label>
<label>class <select id="filter-class"><option value="">all</option><option value="regression">regression</option><option value="harness-error">harness error</option><option value="expected-break">expected break</option><option value="pass">pass</option></select></label>
<span class="dim">showing <b id="shown-count"></b> cells; click a square for its cells</span>
</div>
<div id="matrices"></div>
<div id="details"><span class="dim">No square selected.</span></div>
<script type="application/json" id="result-data">${jsonForScript(result)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
