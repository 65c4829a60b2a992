/* Texts of ckanext-spatial's map widgets in the visitor's language. ckanext-spatial ships no catalogue,
 * so the page gives them, already translated by the server, in the data-strings (JSON) of
 * #cimibague-spatial-i18n; they join CKAN's JS catalogue before the modules start (ckan.initialize loads
 * the locale data first, asynchronously, then instantiates the modules). */
(function (ckan) {
  'use strict';
  var element = document.getElementById('cimibague-spatial-i18n');
  if (!element || !ckan || !ckan.i18n) {
    return;
  }
  var strings;
  try {
    strings = JSON.parse(element.getAttribute('data-strings') || '{}');
  } catch (error) {
    return;
  }
  var data = {'': {domain: 'ckan', lang: document.documentElement.lang || 'es', plural_forms: 'nplurals=2; plural=(n != 1);'}};
  Object.keys(strings).forEach(function (msgid) {
    data[msgid] = [null, strings[msgid]];
  });
  ckan.i18n.load(data);
})(this.ckan);
