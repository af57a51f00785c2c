({css, parts, title, author, date}) => {
  const style = document.createElement('style');
  style.id = 'nmbook-print-css';
  style.textContent = css;
  document.head.appendChild(style);
  document.documentElement.dataset.theme = 'light';
  document.documentElement.dataset.mode = 'light';
  document.title = title;
  // Every row of every benchmark CSV is on the HTML edition's Benchmarks page and in the CSV itself; in print
  // (some 200 pages of numbers) each full table gives way to one line naming its file. Summaries stay.
  document.querySelectorAll('details.benchmark-rows').forEach(d => {
    const table = d.querySelector('table[id^="benchmark-table-"]');
    const p = document.createElement('p');
    p.className = 'nmbook-rows-note';
    if (table) {
      const name = table.id.slice('benchmark-table-'.length);
      p.textContent = `Every row: benchmarks/results/${name}.csv, and the Benchmarks page of the HTML edition.`;
    } else {
      p.textContent = 'Every row: the Benchmarks page of the HTML edition.';
    }
    d.replaceWith(p);
  });
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('img').forEach(img => { img.loading = 'eager'; });
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  // Flatten the single page into: title page, the root page (front matter), then per part an <h1> with the
  // part's caption followed by its chapters, each a <section> whose title is an <h2>.
  const missing = [];
  const ordered = [];
  for (const part of parts) {
    const chapters = [];
    for (const doc of part.chapters) {
      const anchor = document.getElementById('document-' + doc);
      let section = anchor && anchor.nextElementSibling;
      if (!section || section.tagName !== 'SECTION') { missing.push(doc); continue; }
      section.classList.add('nmbook-chapter');
      const heading = section.querySelector('h1, h2, h3, h4');
      if (heading && heading.tagName !== 'H2') {
        const h2 = document.createElement('h2');
        h2.innerHTML = heading.innerHTML;
        heading.replaceWith(h2);
      }
      section.id = section.id || doc;
      anchor.remove();
      section.prepend(anchor);  // keep the document-<name> anchor as a link target
      chapters.push(section);
    }
    ordered.push({caption: part.caption, chapters});
  }
  for (const {chapters} of ordered) { chapters.forEach(c => c.remove()); }
  article.querySelectorAll('.toctree-wrapper').forEach(w => { if (!w.querySelector('a, section')) { w.remove(); } });
  const front = document.createElement('div');
  front.className = 'nmbook-front';
  front.append(...article.childNodes);
  const page = document.createElement('div');
  page.className = 'nmbook-title-page';
  for (const [cls, text] of [['nmbook-title', title], ['nmbook-author', author], ['nmbook-date', date]]) {
    const p = document.createElement('p');
    p.className = cls;
    p.textContent = text;
    page.appendChild(p);
  }
  article.append(page, front);
  for (const {caption, chapters} of ordered) {
    if (caption) {
      const div = document.createElement('div');
      div.className = 'nmbook-part';
      const h1 = document.createElement('h1');
      h1.textContent = caption;
      div.appendChild(h1);
      article.appendChild(div);
    }
    article.append(...chapters);
  }
  // Nothing but the article is printed: no header, sidebars, buttons or footer.
  document.body.replaceChildren(article);
  // Links into the book point at the single page's own anchors, so that they stay links inside the PDF.
  for (const a of document.querySelectorAll('a[href]')) {
    const u = new URL(a.href, location.href);
    if (u.origin !== location.origin) { continue; }
    if (u.hash) { a.setAttribute('href', u.hash); } else { a.removeAttribute('href'); }
  }
  return missing;
}
