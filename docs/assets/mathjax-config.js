// MathJax 2 (served from the site) for the \( \) and \[ \] spans that pymdownx.arithmatex writes.
window.MathJax = {
  tex2jax: {inlineMath: [["\\(", "\\)"]], displayMath: [["\\[", "\\]"]], processEscapes: true,
            processClass: "arithmatex|md-nav__link|md-ellipsis", ignoreClass: ".*"},
  CommonHTML: {linebreaks: {automatic: true}},
  "HTML-CSS": {availableFonts: ["TeX"], preferredFont: "TeX", webFont: "TeX"},
  showMathMenu: false, messageStyle: "none"
};
