(needles) => {
  const t = document.querySelector('article.bd-article, main, body').innerText;
  return needles.filter(n => t.includes(n));
}
