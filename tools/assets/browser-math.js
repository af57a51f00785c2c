() => {
    const body = document.querySelector('main') || document.body;
    const clone = body.cloneNode(true);
    clone.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight, .MathJax')
         .forEach(e => e.remove());
    const text = clone.textContent;
    const raw = ['$$', '\\(', '\\)', '\\[', '\\]', '\\begin{'].filter(d => text.includes(d));
    return {
        containers: document.querySelectorAll('mjx-container').length,
        math_nodes: document.querySelectorAll('.math, div.math, span.math').length,
        tex_errors: [...document.querySelectorAll('mjx-merror, mjx-container [data-mjx-error]')]
                    .map(e => e.getAttribute('data-mjx-error') || e.textContent).slice(0, 5),
        raw: raw,
    };
}
