// MathJax 2, served from the site itself (the copy the jupyter-server-mathjax package ships), for the \( \) and
// \[ \] spans that pymdownx.arithmatex writes. That copy has only the STIX-Web fonts for the HTML-CSS output, so
// they are the only fonts named here: asking for MathJax's TeX fonts made every page request a fontdata.js that is
// not there, and every formula with a prime (x', \sigma') failed as "[Math Processing Error]". (The hidden MathML
// copy kept for screen readers would still ask for TeX fonts through the MathML output's styles: extra.css gives
// it the STIX-Web fonts instead.) The combined configuration loads noErrors and noUndefined, which show a TeX
// mistake as plain (red) source text; they are disabled so that a mistake is an error box the browser test finds.
window.MathJax = {
  TeX: {noErrors: {disabled: true}, noUndefined: {disabled: true}},
  tex2jax: {inlineMath: [["\\(", "\\)"]], displayMath: [["\\[", "\\]"]], processEscapes: true,
            processClass: "arithmatex|md-nav__link|md-ellipsis", ignoreClass: ".*"},
  "HTML-CSS": {availableFonts: ["STIX-Web"], preferredFont: "STIX-Web", webFont: "STIX-Web", imageFont: null,
               linebreaks: {automatic: true}},
  showMathMenu: false, messageStyle: "none"
};
