"""The HTML report's own style sheet and script, inlined into every page (and hashed into its CSP).

The script reads only `data-` attributes the renderer wrote; it embeds no data of its own.
"""

CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--card:#fff;
--add:#1a7f37;--add-bg:#dafbe1;--del:#cf222e;--del-bg:#ffebe9;--mod:#9a6700;--mod-bg:#fff8c5;
--mov:#0969da;--mov-bg:#ddf4ff;--spl:#8250df;--spl-bg:#fbefff;--na:#59636e;--na-bg:#eaeef2;
--tight:#1a7f37;--loose:#bc4c00;--loose-bg:#fff1e5;
--cjk:"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",
"WenQuanYi Micro Hei",system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
*{box-sizing:border-box}
html{scroll-behavior:auto}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.6 var(--cjk)}
a{color:#0550ae}
a:focus-visible,button:focus-visible,summary:focus-visible{outline:3px solid #0969da;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:9}
.en{color:var(--muted);font-size:.86em}
header.doc{background:#fff;border-bottom:1px solid var(--line);padding:20px 28px 18px}
.eyebrow{margin:0 0 4px;color:var(--muted);font-size:13px;letter-spacing:.04em}
h1{margin:0 0 14px;font-size:22px;line-height:1.4;font-weight:650}
h1 .arrow{color:var(--muted);font-weight:400;margin:0 .4em}
.docs{display:grid;grid-template-columns:1fr 1fr;gap:14px;max-width:1240px}
.docinfo{border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:var(--bg)}
.docinfo h2{margin:0 0 6px;font-size:14px;color:var(--muted);font-weight:600}
.docinfo.old h2::before{content:"◀ "}.docinfo.new h2::before{content:"▶ "}
.docinfo dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
.docinfo dt{color:var(--muted);font-size:13px}.docinfo dd{margin:0}
.layout{display:grid;grid-template-columns:250px minmax(0,1fr);gap:24px;max-width:1320px;margin:0 auto;
padding:20px 28px 60px}
nav.toc{position:sticky;top:12px;align-self:start;max-height:calc(100vh - 24px);overflow:auto;font-size:13.5px}
nav.toc h2{font-size:13px;color:var(--muted);margin:0 0 6px;font-weight:600}
nav.toc ol{list-style:none;margin:0;padding:0}
nav.toc li{margin:0 0 6px}
nav.toc a{text-decoration:none;color:var(--fg);display:block;padding:3px 6px;border-radius:6px}
nav.toc a:hover{background:#eaeef2}
nav.toc .mini{display:block;color:var(--muted);font-size:12px;margin-top:1px}
nav.toc .mini span{margin-right:6px;white-space:nowrap}
main{min-width:0}
main>section>h2,#clauses>h2{font-size:18px;margin:6px 0 12px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(104px,1fr));gap:8px;margin:0 0 8px;padding:0;list-style:none}
.tile{background:var(--card);border:1px solid var(--line);border-left-width:5px;border-radius:8px;
padding:6px 10px}
.tile .n{display:block;font-size:24px;font-weight:650;line-height:1.2}
.tile .l{font-size:13px}.tile .en{display:block}
.tile.zero{opacity:.55}
.st-added{border-left-color:var(--add)}.st-dropped{border-left-color:var(--del)}
.st-modified{border-left-color:var(--mod)}.st-moved{border-left-color:var(--mov)}
.st-split,.st-merged{border-left-color:var(--spl)}.st-not_mentioned,.st-unchanged{border-left-color:var(--na)}
table{border-collapse:collapse;width:100%;background:var(--card);font-size:14px}
th,td{border:1px solid var(--line);padding:6px 9px;text-align:left;vertical-align:top}
th{background:#f0f3f6;font-weight:600;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.val{white-space:nowrap;font-variant-numeric:tabular-nums}
tr.t-tightened td:first-child{box-shadow:inset 4px 0 var(--tight)}
tr.t-loosened td:first-child{box-shadow:inset 4px 0 var(--loose)}
details.more{margin:10px 0}
details.more>summary{cursor:pointer;color:#0550ae}
.muted{color:var(--muted)}
.nw{white-space:nowrap}
.badge,.tag{display:inline-flex;align-items:center;gap:4px;border-radius:999px;padding:1px 9px;
font-size:12.5px;font-weight:600;white-space:nowrap;border:1px solid transparent;line-height:1.6}
.sym{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:700}
.b-added{background:var(--add-bg);color:#116329;border-color:#aceebb}
.b-dropped{background:var(--del-bg);color:#a40e26;border-color:#ffcecb}
.b-modified{background:var(--mod-bg);color:#7d4e00;border-color:#eed888}
.b-moved{background:var(--mov-bg);color:#0550ae;border-color:#b6e3ff}
.b-split,.b-merged{background:var(--spl-bg);color:#6639ba;border-color:#ecd8ff}
.b-not_mentioned,.b-unchanged{background:var(--na-bg);color:#424a53;border-color:#d1d9e0}
.tag-tightened,.t-tightened .tchg{background:var(--add-bg);color:#116329;border-color:#aceebb}
.tag-loosened,.t-loosened .tchg{background:var(--loose-bg);color:#953800;border-color:#ffd8b5}
.tchg{display:inline-block;border-radius:6px;padding:0 6px;border:1px solid transparent;white-space:nowrap}
.toolbar{position:sticky;top:0;z-index:5;background:var(--bg);box-shadow:0 6px 8px -8px #1f232833;border-bottom:1px solid var(--line);
margin:18px -8px 14px;padding:10px 8px;display:none}
.js .toolbar{display:block}
.toolbar .row{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin:2px 0}
.toolbar .lab{font-size:12.5px;color:var(--muted);margin-right:2px;min-width:5.5em}
.toolbar button{font:inherit;font-size:13px;cursor:pointer;border:1px solid var(--line);background:#fff;
color:var(--fg);border-radius:999px;padding:2px 10px;line-height:1.6}
.toolbar button:hover{background:#f3f4f6}
.toolbar button[aria-pressed="true"]{background:#24292f;color:#fff;border-color:#24292f}
.toolbar button[aria-pressed="true"]::before{content:"✓ "}
.toolbar button:disabled{opacity:.45;cursor:default}
.toolbar select{font:inherit;font-size:13px;max-width:100%;border:1px solid var(--line);border-radius:6px;
padding:2px 6px;background:#fff}
.meta .corrected b{color:#8250df}
.toolbar .cnt{font-variant-numeric:tabular-nums;opacity:.8}
.toolbar .shown{margin-left:auto;font-size:12.5px;color:var(--muted)}
.sec{margin:0 0 26px;scroll-margin-top:calc(var(--bar,130px) + 10px)}
.sec>h2{font-size:17px;margin:0 0 10px;padding:6px 0 6px 2px;border-bottom:2px solid var(--line);scroll-margin-top:calc(var(--bar,130px) + 10px)}
.sec>h2 .sid{font-weight:400;font-size:12px;color:var(--muted);margin-left:8px}
article.card{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--na);border-radius:8px;
margin:0 0 14px;padding:12px 16px 14px;scroll-margin-top:calc(var(--bar,130px) + 10px)}
article.card.st-dropped{border-style:dashed solid dashed dashed;border-left-style:solid}
article.card:target,article.card:has(:target),article.card.flash{box-shadow:0 0 0 3px #54aeff66;border-color:#0969da}
.card-h{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 10px}
.card-h h3{margin:0;font-size:16px;font-weight:650;flex:1 1 18em;line-height:1.5}
.card-h .num{font-weight:650;color:#24292f;margin-right:4px}
.permalink{font-size:12.5px;color:var(--muted);text-decoration:none;white-space:nowrap}
.permalink:hover{text-decoration:underline}
.meta{margin:6px 0 0;font-size:13px;color:var(--muted);display:flex;flex-wrap:wrap;gap:2px 14px}
.meta b{font-weight:600;color:#424a53}
.ref a{text-decoration:none}.ref a:hover{text-decoration:underline}
.ref code{font-size:11.5px;color:var(--muted);background:#f0f3f6;border-radius:4px;padding:0 4px;margin-left:2px}
ul.tlist,ul.dlist{margin:8px 0 0;padding:0;list-style:none;font-size:13.5px}
ul.tlist li,ul.dlist li{margin:2px 0}
.dlist .d-plus{color:#116329}.dlist .d-minus{color:#a40e26;text-decoration:line-through}
.txt{font-size:16px;line-height:1.9;white-space:pre-wrap;word-break:break-word;margin:10px 0 0;letter-spacing:.01em}
del{background:var(--del-bg);color:#82071e;text-decoration:line-through;text-decoration-color:#cf222e99}
ins{background:var(--add-bg);color:#0f5323;text-decoration:underline;text-decoration-color:#1a7f3799;
text-underline-offset:3px}
del,ins{border-radius:3px;padding:0 1px;-webkit-box-decoration-break:clone;box-decoration-break:clone}
.sbs{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin-top:10px}
.sbs .col{border:1px solid var(--line);border-radius:6px;padding:6px 12px 8px;min-width:0}
.sbs .col.old{background:#fffafa}.sbs .col.new{background:#fbfffb}
.sbs .col-h{font-size:12.5px;color:var(--muted);border-bottom:1px solid var(--line);padding-bottom:3px}
.sbs .txt{margin-top:6px;font-size:15px}
.view-inline .sbs,.view-sbs .redline,.view-auto .heavy .redline,.view-auto .card:not(.heavy) .sbs{display:none}
.sbs del{text-decoration:none;background:#ffebe9}
.sbs ins{text-decoration:none;background:#dafbe1}
.sbs del,.sbs ins{color:inherit}
.only .txt{margin-top:8px}
.label{font-size:12.5px;color:var(--muted);margin:10px 0 0}
.is-hidden{display:none !important}
.empty{padding:18px;color:var(--muted);background:#fff;border:1px dashed var(--line);border-radius:8px}
footer{max-width:1320px;margin:0 auto;padding:0 28px 40px;color:var(--muted);font-size:12.5px}
@media (max-width:900px){.layout{grid-template-columns:1fr;padding:14px}nav.toc{position:static;max-height:none}
.toolbar{position:static}header.doc{padding:14px}
.docs,.sbs{grid-template-columns:1fr}}
@media (max-width:600px){
body{font-size:14px}header.doc{padding:12px 12px 10px}h1{font-size:18px}.layout{padding:10px 10px 40px}
h1,.card-h h3,.meta,.docinfo dd,.permalink,code,td,.tlist li,.dlist li{overflow-wrap:anywhere}
.docinfo{padding:8px 10px}.docinfo dl{grid-template-columns:minmax(0,max-content) minmax(0,1fr)}
article.card{padding:10px 10px 12px}.txt{font-size:15px;line-height:1.8}
.sbs .col{padding:6px 8px 8px}.nw,td.val,.badge,.tag,.tchg{white-space:normal}
.toolbar .shown{margin-left:0}footer{padding:0 12px 30px}
main table,main thead,main tbody,main tr,main th,main td,main caption{display:block;width:100%}
main thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
main tr{border:1px solid var(--line);border-radius:6px;margin:0 0 8px;background:var(--card)}
main table{background:none;border:0}
main td{border:0;border-top:1px solid #eef1f4;padding:4px 8px 4px 7.2em;position:relative;min-height:2em}
main td:first-child{border-top:0}
main td::before{content:attr(data-label);position:absolute;left:8px;width:6.4em;color:var(--muted);
font-size:12px;line-height:1.9;overflow-wrap:anywhere}
}
@media print{
@page{size:A4;margin:14mm 12mm 14mm}
html,body{background:#fff}
body{font-size:10pt;line-height:1.5}
.toolbar,nav.toc,.permalink,.skip,button,.alias{display:none !important}
header.doc{padding:0 0 8px;border:0}
.layout{display:block;padding:0;max-width:none}
main>section>h2,#clauses>h2{margin:10px 0 6px}
.is-hidden{display:block !important}
.sec.is-hidden{display:block !important}
#no-cards{display:none !important}
.sec{margin:0 0 12px}
.sec>h2,.card-h,.meta,.tlist,.dlist,.label,.col-h,caption,details.more>summary{break-after:avoid}
article.card{break-inside:avoid;box-shadow:none !important;margin:0 0 8px;padding:8px 12px 10px}
article.card.long{break-inside:auto}
.txt{font-size:10.5pt;line-height:1.7;margin-top:6px;orphans:3;widows:3}
.sbs{grid-template-columns:1fr 1fr;gap:8px}.docs{grid-template-columns:1fr 1fr}
.sbs .txt{font-size:10pt}
del,ins,.badge,.tag,.tile{-webkit-print-color-adjust:exact;print-color-adjust:exact}
details.more{display:block}
details.more::details-content{content-visibility:visible;display:block}
details.more>*{display:block}
table{font-size:8.5pt;break-inside:auto}
thead{display:table-header-group}
tr{break-inside:avoid}
th{white-space:normal}
td.val,.nw{white-space:normal}
a{color:inherit;text-decoration:none}
footer{padding:8px 0 0;break-inside:avoid}
}
"""

JS = """
(function () {
  "use strict";
  var doc = document, root = doc.documentElement;
  root.classList.add("js");
  var cards = [].slice.call(doc.querySelectorAll("article.card"));
  var groups = [].slice.call(doc.querySelectorAll("section.sec"));
  var chips = [].slice.call(doc.querySelectorAll("button[data-filter]"));
  var views = [].slice.call(doc.querySelectorAll("button[data-view]"));
  var allBtn = doc.getElementById("f-all");
  var unchBtn = doc.getElementById("f-unchanged");
  var shown = doc.getElementById("shown-count");
  var empty = doc.getElementById("no-cards");
  var dept = doc.getElementById("f-dept");
  var selected = {};
  var showUnchanged = false;
  var pinned = null;

  function anySelected() {
    for (var k in selected) { if (selected[k]) { return true; } }
    return false;
  }
  function visible(card) {
    if (card === pinned) { return true; }
    if (dept && dept.value &&
        (card.getAttribute("data-depts") || "").split("|").indexOf(dept.value) < 0) { return false; }
    var st = card.getAttribute("data-status");
    if (st === "unchanged") { return showUnchanged; }
    if (!anySelected()) { return true; }
    if (selected[st]) { return true; }
    var tags = (card.getAttribute("data-tags") || "").split(" ");
    for (var i = 0; i < tags.length; i++) { if (tags[i] && selected[tags[i]]) { return true; } }
    return false;
  }
  function apply() {
    var n = 0;
    cards.forEach(function (c) {
      var v = visible(c);
      c.classList.toggle("is-hidden", !v);
      if (v) { n++; }
    });
    groups.forEach(function (g) {
      g.classList.toggle("is-hidden", !g.querySelector("article.card:not(.is-hidden)"));
    });
    chips.forEach(function (b) {
      b.setAttribute("aria-pressed", selected[b.getAttribute("data-filter")] ? "true" : "false");
    });
    if (allBtn) { allBtn.setAttribute("aria-pressed", anySelected() ? "false" : "true"); }
    if (unchBtn) { unchBtn.setAttribute("aria-pressed", showUnchanged ? "true" : "false"); }
    if (shown) { shown.textContent = String(n); }
    if (empty) { empty.classList.toggle("is-hidden", n > 0); }
  }
  chips.forEach(function (b) {
    b.addEventListener("click", function () {
      var f = b.getAttribute("data-filter");
      selected[f] = !selected[f];
      pinned = null;
      apply();
    });
  });
  if (allBtn) {
    allBtn.addEventListener("click", function () { selected = {}; pinned = null; apply(); });
  }
  if (unchBtn) {
    unchBtn.addEventListener("click", function () { showUnchanged = !showUnchanged; pinned = null; apply(); });
  }
  if (dept) {
    dept.addEventListener("change", function () { pinned = null; apply(); });
  }
  views.forEach(function (b) {
    b.addEventListener("click", function () {
      var v = b.getAttribute("data-view");
      doc.body.classList.remove("view-auto", "view-inline", "view-sbs", "view-both");
      doc.body.classList.add("view-" + v);
      views.forEach(function (o) { o.setAttribute("aria-pressed", o === b ? "true" : "false"); });
    });
  });
  function reveal() {
    var id = location.hash.slice(1);
    if (!id) { return; }
    try { id = decodeURIComponent(id); } catch (e) { /* keep it as it is */ }
    var el = doc.getElementById(id);
    if (!el) { return; }
    var card = el.closest ? el.closest("article.card") : null;
    if (card && card.classList.contains("is-hidden")) { pinned = card; apply(); }
    cards.forEach(function (c) { c.classList.toggle("flash", c === card); });
    (card || el).scrollIntoView({block: "start"});
  }
  function measure() {
    var bar = doc.querySelector(".toolbar");
    if (!bar) { return; }
    var sticky = window.getComputedStyle(bar).position === "sticky";
    root.style.setProperty("--bar", (sticky ? Math.ceil(bar.getBoundingClientRect().height) : 0) + "px");
  }
  // printing expands every folded table (and closes again those the reader had closed)
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    reopened = [].slice.call(doc.querySelectorAll("details:not([open])"));
    reopened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });
  window.addEventListener("hashchange", reveal);
  window.addEventListener("resize", measure);
  apply();
  measure();
  reveal();
})();
"""
