// Wiredesk search page. Plain JavaScript, no dependencies, no network but this server.
//
// The whole view lives in the URL (?q=&source=&lang=&from=&to=&sort=&page=&article=): every
// change is a history entry, so the back button and shared links show the exact same view.
// User and article text only ever reaches the page through textContent and DOM nodes (never
// innerHTML), so an article containing <script> shows as text.
'use strict';

(() => {
  const PAGE_SIZE = 10;
  const MAX_OFFSET = 10000;  // the server's bound on offset
  const SORTS = ['relevance', 'newest', 'oldest', 'recency'];

  const $ = (id) => document.getElementById(id);
  const el = {
    form: $('search-form'), q: $('q'), intro: $('intro'), archiveSize: $('archive-size'),
    facets: $('facets'), refine: $('refine'), sources: $('facet-sources'), langs: $('facet-langs'),
    searchView: $('search-view'), status: $('status'), suggestion: $('suggestion'),
    warnings: $('warnings'), active: $('active-filters'), dates: $('dates'),
    histogram: $('histogram'), axisFirst: $('axis-first'), axisLast: $('axis-last'),
    undated: $('undated'), sort: $('sort'), results: $('results'),
    resultsHeading: $('results-heading'), pager: $('pager'), article: $('article-view'),
    main: $('main'),
  };

  // ---- State <-> URL -------------------------------------------------------------------

  function emptyState() {
    return { q: '', source: [], lang: [], from: '', to: '', sort: 'relevance', page: 1, article: '' };
  }

  function readState(search) {
    const p = new URLSearchParams(search);
    const s = emptyState();
    s.q = p.get('q') || '';
    s.source = p.getAll('source').filter(Boolean);
    s.lang = p.getAll('lang').filter(Boolean);
    s.from = p.get('from') || '';
    s.to = p.get('to') || '';
    s.sort = SORTS.includes(p.get('sort')) ? p.get('sort') : 'relevance';
    const page = parseInt(p.get('page') || '1', 10);
    s.page = Number.isFinite(page) && page > 0 ? page : 1;
    s.article = p.get('article') || '';
    return s;
  }

  function stateQuery(s) {
    const p = new URLSearchParams();
    if (s.q) p.set('q', s.q);
    for (const v of s.source) p.append('source', v);
    for (const v of s.lang) p.append('lang', v);
    if (s.from) p.set('from', s.from);
    if (s.to) p.set('to', s.to);
    if (s.sort !== 'relevance') p.set('sort', s.sort);
    if (s.page > 1) p.set('page', String(s.page));
    if (s.article) p.set('article', s.article);
    return p.toString();
  }

  const stateUrl = (s) => {
    const query = stateQuery(s);
    return query ? '/?' + query : '/';
  };

  const hasSearch = (s) => Boolean(s.q.trim() || s.source.length || s.lang.length || s.from || s.to);

  /** A copy of the current state changed by @p change; back to page 1 unless told otherwise. */
  function derive(change) {
    const s = Object.assign(readState(location.search), { page: 1, article: '' }, change);
    return s;
  }

  function navigate(s, options = {}) {
    const url = stateUrl(s);
    if (url !== location.pathname + location.search) history.pushState(null, '', url);
    render(options);
  }

  /** An <a> to @p s that the page follows itself (a new tab or a copied link works too). */
  function link(s, text, className, options = {}) {
    const a = document.createElement('a');
    a.href = stateUrl(s);
    if (className) a.className = className;
    if (text !== undefined) a.textContent = text;
    a.addEventListener('click', (event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(s, options);
    });
    return a;
  }

  // ---- Small DOM helpers -----------------------------------------------------------------

  function make(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'className') node.className = value;
      else if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child);  // strings become text nodes
    }
    return node;
  }

  /** @p text with <mark> around @p ranges ([begin, end) in code points, as the API gives). */
  function marked(text, ranges) {
    const fragment = document.createDocumentFragment();
    const chars = Array.from(text || '');
    let at = 0;
    for (const [begin, end] of ranges || []) {
      if (begin < at || end > chars.length || begin >= end) continue;
      if (begin > at) fragment.append(chars.slice(at, begin).join(''));
      fragment.append(make('mark', { text: chars.slice(begin, end).join('') }));
      at = end;
    }
    if (at < chars.length) fragment.append(chars.slice(at).join(''));
    return fragment;
  }

  const numberFormat = new Intl.NumberFormat();
  const count = (n) => numberFormat.format(n);
  const plural = (n, one, many) => `${count(n)} ${n === 1 ? one : many}`;

  let languageNames = null;
  try {
    languageNames = new Intl.DisplayNames([navigator.language || 'en'], { type: 'language' });
  } catch (e) {
    languageNames = null;
  }
  function languageName(code) {
    if (!code || code === 'und') return 'Unknown language';
    try {
      const name = languageNames && languageNames.of(code);
      return name && name !== code ? name : code;
    } catch (e) {
      return code;
    }
  }

  function formatDate(day) {
    if (!day) return 'Undated';
    const [y, m, d] = day.split('-').map(Number);
    const date = new Date(Date.UTC(y, m - 1, d));
    if (Number.isNaN(date.getTime())) return day;
    return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  }

  /** Only web links become clickable: a javascript: or data: URL in an article stays text. */
  function safeUrl(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  // ---- Fetching ------------------------------------------------------------------------

  let inflight = null;

  async function api(path) {
    if (inflight) inflight.abort();
    const controller = new AbortController();
    inflight = controller;
    const response = await fetch(path, { signal: controller.signal, headers: { Accept: 'application/json' } });
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (inflight === controller) inflight = null;
    if (!response.ok) {
      const error = new Error((body && body.error) || `The server answered ${response.status}.`);
      error.status = response.status;
      error.parameter = body && body.parameter;
      throw error;
    }
    return body;
  }

  function searchPath(s) {
    const p = new URLSearchParams();
    p.set('q', s.q);
    for (const v of s.source) p.append('source', v);
    for (const v of s.lang) p.append('lang', v);
    if (s.from) p.set('from', s.from);
    if (s.to) p.set('to', s.to);
    p.set('sort', s.sort);
    p.set('offset', String(Math.min((s.page - 1) * PAGE_SIZE, MAX_OFFSET)));
    p.set('limit', String(PAGE_SIZE));
    return '/api/search?' + p.toString();
  }

  // ---- Rendering -----------------------------------------------------------------------

  let renderCount = 0;

  async function render(options = {}) {
    const s = readState(location.search);
    const ticket = ++renderCount;
    if (document.activeElement !== el.q) el.q.value = s.q;
    el.sort.value = s.sort;
    if (s.article) {
      await renderArticle(s, ticket, options);
    } else if (hasSearch(s)) {
      await renderSearch(s, ticket, options);
    } else {
      renderIntro();
    }
  }

  function show(view) {
    el.intro.hidden = view !== 'intro';
    el.searchView.hidden = view !== 'search';
    el.facets.hidden = view !== 'search';
    el.article.hidden = view !== 'article';
    document.body.dataset.view = view;
  }

  async function renderIntro() {
    show('intro');
    document.title = 'Wiredesk';
    el.q.value = '';
    try {
      const health = await fetch('/api/health').then((r) => r.json());
      el.archiveSize.textContent = `The archive holds ${plural(health.articles, 'article', 'articles')}.`;
    } catch (e) {
      el.archiveSize.textContent = '';
    }
  }

  function setStatus(text, isError) {
    el.status.textContent = text;
    el.status.classList.toggle('error', Boolean(isError));
  }

  async function renderSearch(s, ticket, options) {
    show('search');
    document.title = `${s.q || 'Filtered'} · Wiredesk`;
    el.searchView.setAttribute('aria-busy', 'true');
    setStatus('Searching…');
    let data;
    try {
      data = await api(searchPath(s));
    } catch (error) {
      if (error.name === 'AbortError' || ticket !== renderCount) return;
      el.searchView.removeAttribute('aria-busy');
      renderFilters(s);
      el.results.replaceChildren();
      el.pager.replaceChildren();
      el.dates.hidden = true;
      el.suggestion.hidden = true;
      el.warnings.hidden = true;
      el.sources.replaceChildren();
      el.langs.replaceChildren();
      setStatus(error.status ? `Cannot search: ${error.message}` : 'The server cannot be reached.', true);
      return;
    }
    if (ticket !== renderCount) return;
    el.searchView.removeAttribute('aria-busy');

    const first = data.results.length ? data.offset + 1 : 0;
    const last = data.offset + data.results.length;
    const about = data.total_exact ? '' : 'about ';
    let status = `${about}${plural(data.total, 'result', 'results')}`;
    if (s.q) status += ` for “${s.q}”`;
    if (data.results.length) status += `, showing ${count(first)}–${count(last)}`;
    else if (data.total > 0) status += '; this page is past the last one';
    setStatus(status + '.');

    renderSuggestion(s, data.suggestion);
    renderWarnings(data.warnings || []);
    renderFilters(s);
    renderResults(s, data);
    renderPager(s, data);
    renderFacets(s, data.facets);
    if (options.focusResults) el.resultsHeading.focus();
  }

  function renderSuggestion(s, suggestion) {
    el.suggestion.replaceChildren();
    el.suggestion.hidden = !suggestion;
    if (!suggestion) return;
    el.suggestion.append('Did you mean ', link(derive({ q: suggestion }), suggestion, 'suggestion-link'), '?');
  }

  function renderWarnings(warnings) {
    el.warnings.replaceChildren(...warnings.map((w) => make('li', { text: w })));
    el.warnings.hidden = warnings.length === 0;
  }

  function chip(label, s) {
    const a = link(s, undefined, 'chip');
    a.append(make('span', { text: label }), make('span', { className: 'chip-x', 'aria-hidden': 'true', text: '×' }));
    a.setAttribute('aria-label', `Remove filter: ${label}`);
    return a;
  }

  function renderFilters(s) {
    const chips = [];
    for (const v of s.source) chips.push(chip(`Source: ${v}`, derive({ source: s.source.filter((x) => x !== v) })));
    for (const v of s.lang) chips.push(chip(`Language: ${languageName(v)}`, derive({ lang: s.lang.filter((x) => x !== v) })));
    if (s.from || s.to) {
      const range = s.from === s.to ? s.from : `${s.from || '…'} – ${s.to || '…'}`;
      chips.push(chip(`Dates: ${range}`, derive({ from: '', to: '' })));
    }
    el.active.replaceChildren(...chips);
    el.active.hidden = chips.length === 0;
  }

  function renderResults(s, data) {
    const items = data.results.map((hit) => {
      const articleState = Object.assign(readState(location.search), { article: hit.id });
      const title = link(articleState, undefined, 'hit-title');
      title.append(hit.title ? marked(hit.title, hit.title_highlights) : '(no headline)');

      const meta = make('p', { className: 'meta' });
      if (hit.source) {
        const sourceLink = link(derive({ source: s.source.includes(hit.source) ? s.source : [...s.source, hit.source] }),
          hit.source, 'source-link');
        sourceLink.setAttribute('aria-label', `${hit.source}: show only this source`);
        meta.append(sourceLink);
      } else {
        meta.append(make('span', { text: 'Unknown source' }));
      }
      meta.append(' · ', hit.date ? make('time', { datetime: hit.date, text: formatDate(hit.date) }) : 'Undated');
      if (hit.lang && hit.lang !== 'en') {
        meta.append(' · ', make('span', { lang: hit.lang === 'und' ? null : hit.lang, text: languageName(hit.lang) }));
      }

      const snippet = make('p', { className: 'snippet', lang: hit.lang && hit.lang !== 'und' ? hit.lang : null });
      snippet.append(marked(hit.snippet, hit.highlights));

      const item = make('li', { className: 'hit' },
        make('h3', { lang: hit.lang && hit.lang !== 'und' ? hit.lang : null }, title), meta, snippet);
      const group = groupLine(hit);
      if (group) item.append(group);
      return item;
    });
    el.results.replaceChildren(...items);
    if (!items.length) {
      el.results.append(make('li', { className: 'empty' },
        data.total > 0 ? 'No results on this page.' : 'Nothing matches. Try fewer words, or remove a filter.'));
    }
  }

  /**
   * The group a hit stands for (the server collapses each story, or each wire text and its
   * copies, to its best-matching report; docs/SEARCH_JSON.md):
   * hit.group = {level, id, size, other_outlets, other_outlet_count, earliest: {id, title,
   * source, date, …}, is_earliest}. Draws "AFP, 10 Feb 2026 · also in Harbor Wire, Metro Pulse
   * and 3 other outlets" and an "N similar reports" button that lists the group's members,
   * earliest first, from /api/group/{id}?level=….
   */
  function groupLine(hit) {
    const group = hit.group;
    if (!group || typeof group.id !== 'string' || !(group.size > 1)) return null;
    const others = group.size - 1;
    const listId = `group-${Math.random().toString(36).slice(2)}`;

    const summary = make('p', { className: 'group-summary' });
    const earliest = group.earliest || {};
    const when = `${earliest.source || 'Unknown source'}, ${formatDate(earliest.date)}`;
    if (group.is_earliest) {
      summary.append(make('span', { text: `First reported here (${when})` }));
    } else {
      summary.append('First reported by ',
        link(Object.assign(readState(location.search), { article: earliest.id }), when, 'group-earliest'));
    }
    const names = Array.isArray(group.other_outlets) ? group.other_outlets.slice(0, 2) : [];
    const total = Number(group.other_outlet_count) || 0;
    if (total > 0 && names.length) {
      const rest = total - names.length;
      let text = names.join(rest > 0 ? ', ' : ' and ');
      if (rest > 0) text += ` and ${plural(rest, 'other outlet', 'other outlets')}`;
      summary.append(` · also in ${text}`);
    }

    const label = plural(others, 'similar report', 'similar reports');
    const button = make('button', { type: 'button', className: 'group-toggle', 'aria-expanded': 'false', 'aria-controls': listId },
      label);
    const list = make('ol', { id: listId, className: 'group-members', hidden: true, 'aria-label': label });
    button.addEventListener('click', async () => {
      const open = button.getAttribute('aria-expanded') !== 'true';
      button.setAttribute('aria-expanded', String(open));
      list.hidden = !open;
      if (!open || list.childElementCount) return;
      list.append(make('li', { text: 'Loading…' }));
      try {
        const level = group.level === 'copy' ? 'copy' : 'story';
        const response = await fetch(`/api/group/${encodeURIComponent(group.id)}?level=${level}`,
          { headers: { Accept: 'application/json' } });
        const body = await response.json();
        if (!response.ok) throw new Error(body.error || 'unavailable');
        list.replaceChildren(...(body.members || []).filter((m) => m.id !== hit.id).map((m) =>
          make('li', { className: m.id === earliest.id ? 'group-member earliest' : 'group-member' },
            link(Object.assign(readState(location.search), { article: m.id }), m.title || '(no headline)'),
            ` · ${m.source || 'Unknown source'} · ${m.date ? formatDate(m.date) : 'Undated'}`,
            m.id === earliest.id ? ' · earliest' : '')));
      } catch (e) {
        list.replaceChildren(make('li', { text: `Cannot list similar reports: ${e.message}` }));
      }
    });
    return make('div', { className: 'group-line' }, summary, button, list);
  }

  function renderPager(s, data) {
    const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
    const reachable = Math.min(pages, Math.floor(MAX_OFFSET / PAGE_SIZE) + 1);
    el.pager.replaceChildren();
    if (reachable <= 1) return;
    const current = s.page;
    const go = (page) => Object.assign(readState(location.search), { page, article: '' });
    const list = make('ul');
    if (current > 1) {
      const prev = link(go(current - 1), '← Previous', 'pager-prev', { focusResults: true });
      prev.rel = 'prev';
      list.append(make('li', {}, prev));
    }
    const shown = new Set([1, reachable, current - 1, current, current + 1].filter((p) => p >= 1 && p <= reachable));
    let last = 0;
    for (const page of [...shown].sort((a, b) => a - b)) {
      if (page > last + 1) list.append(make('li', { className: 'gap', 'aria-hidden': 'true', text: '…' }));
      if (page === current) {
        list.append(make('li', {}, make('span', { className: 'current', 'aria-current': 'page', text: String(page) })));
      } else {
        const a = link(go(page), String(page), 'page-link', { focusResults: true });
        a.setAttribute('aria-label', `Page ${page}`);
        list.append(make('li', {}, a));
      }
      last = page;
    }
    if (current < reachable) {
      const next = link(go(current + 1), 'Next →', 'pager-next', { focusResults: true });
      next.rel = 'next';
      list.append(make('li', {}, next));
    }
    el.pager.append(list);
  }

  function facetButton(label, n, pressed, onToggle, lang) {
    const button = make('button', { type: 'button', className: 'facet', 'aria-pressed': String(pressed) },
      make('span', { className: 'facet-label', lang, text: label }),
      make('span', { className: 'facet-count', text: count(n) }));
    button.setAttribute('aria-label', `${label}, ${plural(n, 'result', 'results')}${pressed ? ', filter on' : ''}`);
    button.addEventListener('click', onToggle);
    return make('li', {}, button);
  }

  function toggled(list, value) {
    return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
  }

  function renderFacets(s, facets) {
    el.sources.replaceChildren();
    el.langs.replaceChildren();
    if (!facets) {
      el.dates.hidden = true;
      return;
    }
    const sourceItems = facets.sources.map((f) => facetButton(f.source, f.count, s.source.includes(f.source),
      () => navigate(derive({ source: toggled(s.source, f.source) }))));
    // A filter the current results no longer list stays visible, so it can be turned off.
    for (const v of s.source) {
      if (!facets.sources.some((f) => f.source === v)) {
        sourceItems.push(facetButton(v, 0, true, () => navigate(derive({ source: toggled(s.source, v) }))));
      }
    }
    el.sources.append(...sourceItems);
    if (facets.other_sources && facets.other_sources.count) {
      el.sources.append(make('li', { className: 'facet-note',
        text: `${count(facets.other_sources.count)} more from ${plural(facets.other_sources.sources, 'other source', 'other sources')}` }));
    }
    if (facets.unknown_source) {
      el.sources.append(make('li', { className: 'facet-note', text: `${count(facets.unknown_source)} without a source` }));
    }
    if (!el.sources.childElementCount) el.sources.append(make('li', { className: 'facet-note', text: 'None' }));

    const langItems = facets.languages.map((f) => facetButton(languageName(f.lang), f.count, s.lang.includes(f.lang),
      () => navigate(derive({ lang: toggled(s.lang, f.lang) })), f.lang === 'und' ? null : f.lang));
    for (const v of s.lang) {
      if (!facets.languages.some((f) => f.lang === v)) {
        langItems.push(facetButton(languageName(v), 0, true, () => navigate(derive({ lang: toggled(s.lang, v) }))));
      }
    }
    el.langs.append(...langItems);
    if (!el.langs.childElementCount) el.langs.append(make('li', { className: 'facet-note', text: 'None' }));

    renderHistogram(s, facets.dates);
  }

  // ---- Date histogram ------------------------------------------------------------------

  const pad = (n) => String(n).padStart(2, '0');
  const isoDay = (date) => `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;

  /** The first and last day of a bucket key: 2026-01-20, 2026-W04, 2026-01 or 2026. */
  function bucketRange(key, bucket) {
    if (bucket === 'week') {
      const match = /^(\d{4})-W(\d{2})$/.exec(key);
      if (!match) return [key, key];
      const year = Number(match[1]);
      const week = Number(match[2]);
      // ISO week 1 holds 4 January; weeks start on Monday.
      const jan4 = new Date(Date.UTC(year, 0, 4));
      const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86400000 + (week - 1) * 7 * 86400000);
      const sunday = new Date(monday.getTime() + 6 * 86400000);
      return [isoDay(monday), isoDay(sunday)];
    }
    // Days, months and years: the server widens YYYY-MM and YYYY to whole months and years.
    return [key, key];
  }

  function bucketLabel(key, bucket) {
    if (bucket === 'day') return formatDate(key);
    if (bucket === 'week') {
      const [from, to] = bucketRange(key, bucket);
      return `week of ${formatDate(from)} to ${formatDate(to)}`;
    }
    if (bucket === 'month') {
      const [y, m] = key.split('-').map(Number);
      const date = new Date(Date.UTC(y, m - 1, 1));
      return Number.isNaN(date.getTime()) ? key : date.toLocaleDateString(undefined, { year: 'numeric', month: 'long', timeZone: 'UTC' });
    }
    return key;
  }

  let drag = null;  // {start, end} bar indexes while the pointer is down

  function renderHistogram(s, dates) {
    const buckets = (dates && dates.buckets) || [];
    el.dates.hidden = buckets.length === 0 && !(dates && dates.undated);
    el.histogram.replaceChildren();
    el.axisFirst.textContent = buckets.length ? bucketLabel(buckets[0].key, dates.bucket) : '';
    el.axisLast.textContent = buckets.length > 1 ? bucketLabel(buckets[buckets.length - 1].key, dates.bucket) : '';
    el.undated.textContent = dates && dates.undated ? `${plural(dates.undated, 'result has', 'results have')} no date.` : '';
    if (!buckets.length) return;

    const most = Math.max(1, ...buckets.map((b) => b.count));
    const labelled = buckets.length <= 40;
    const selected = (key) => {
      const [from, to] = bucketRange(key, dates.bucket);
      return Boolean((s.from || s.to) && (!s.from || to >= s.from) && (!s.to || from <= s.to));
    };
    const bars = buckets.map((b, index) => {
      const label = `${bucketLabel(b.key, dates.bucket)}: ${plural(b.count, 'result', 'results')}`;
      const bar = make('button', { type: 'button', className: 'bar', 'data-index': index, 'aria-label': label, title: label, tabindex: '-1' });
      if (selected(b.key)) bar.classList.add('selected');
      if (b.count === 0) bar.classList.add('zero');
      // Few bars: each says its count above it (the tallest leaves room for its label).
      if (labelled && b.count) bar.append(make('span', { className: 'count', 'aria-hidden': 'true', text: count(b.count) }));
      const fill = make('span', { className: 'fill' });
      fill.style.height = `${b.count ? Math.max(4, (b.count / most) * (labelled ? 80 : 100)) : 0}%`;
      bar.append(fill);
      return bar;
    });
    const focusable = Math.max(0, bars.findIndex((b) => b.classList.contains('selected')));
    bars[focusable].tabIndex = 0;
    el.histogram.append(...bars);

    const applyRange = (a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const from = bucketRange(buckets[lo].key, dates.bucket)[0];
      const to = bucketRange(buckets[hi].key, dates.bucket)[1];
      navigate(derive({ from, to }));
    };
    const paintDrag = () => {
      const [lo, hi] = drag.start <= drag.end ? [drag.start, drag.end] : [drag.end, drag.start];
      bars.forEach((bar, i) => bar.classList.toggle('dragging', i >= lo && i <= hi));
    };
    const indexAt = (event) => {
      const target = document.elementFromPoint(event.clientX, event.clientY);
      const bar = target && target.closest && target.closest('.bar');
      return bar && el.histogram.contains(bar) ? Number(bar.dataset.index) : null;
    };

    el.histogram.onpointerdown = (event) => {
      const index = indexAt(event);
      if (index === null || event.button !== 0) return;
      event.preventDefault();
      drag = { start: index, end: index };
      el.histogram.setPointerCapture(event.pointerId);
      paintDrag();
    };
    el.histogram.onpointermove = (event) => {
      if (!drag) return;
      const index = indexAt(event);
      if (index !== null && index !== drag.end) {
        drag.end = index;
        paintDrag();
      }
    };
    el.histogram.onpointerup = () => {
      if (!drag) return;
      const { start, end } = drag;
      drag = null;
      applyRange(start, end);
    };
    el.histogram.onpointercancel = () => {
      drag = null;
      bars.forEach((bar) => bar.classList.remove('dragging'));
    };
    // Keyboard: one bar in the tab order, arrows move between bars.
    el.histogram.onkeydown = (event) => {
      const current = bars.indexOf(document.activeElement);
      if (current < 0) return;
      let next = current;
      if (event.key === 'ArrowRight' || event.key === 'ArrowUp') next = Math.min(bars.length - 1, current + 1);
      else if (event.key === 'ArrowLeft' || event.key === 'ArrowDown') next = Math.max(0, current - 1);
      else if (event.key === 'Home') next = 0;
      else if (event.key === 'End') next = bars.length - 1;
      else return;  // Enter and Space click the bar (handled below)
      event.preventDefault();
      bars[current].tabIndex = -1;
      bars[next].tabIndex = 0;
      bars[next].focus();
    };
    // A click without a pointer (Enter, Space, assistive technology) filters to that bar.
    el.histogram.onclick = (event) => {
      if (event.detail !== 0) return;  // pointer clicks were handled by pointerup
      const bar = event.target.closest('.bar');
      if (bar) applyRange(Number(bar.dataset.index), Number(bar.dataset.index));
    };
  }

  // ---- Article view --------------------------------------------------------------------

  async function renderArticle(s, ticket, options) {
    show('article');
    const back = Object.assign({}, s, { article: '' });
    const backLink = hasSearch(back) ? link(back, '← Back to the results', 'back-link') : link(emptyState(), '← New search', 'back-link');
    el.article.replaceChildren(backLink, make('p', { className: 'status', role: 'status', text: 'Loading the article…' }));
    let article;
    try {
      article = await api(`/api/article/${encodeURIComponent(s.article)}`);
    } catch (error) {
      if (error.name === 'AbortError' || ticket !== renderCount) return;
      el.article.replaceChildren(backLink, make('p', { className: 'status error', role: 'alert',
        text: error.status === 404 ? 'This article is not in the archive (any more).' : `Cannot open the article: ${error.message}` }));
      return;
    }
    if (ticket !== renderCount) return;
    document.title = `${article.title || 'Article'} · Wiredesk`;
    const lang = article.lang && article.lang !== 'und' ? article.lang : null;
    const heading = make('h1', { tabindex: '-1', lang, text: article.title || '(no headline)' });
    const meta = make('p', { className: 'meta' },
      article.source || 'Unknown source', ' · ',
      article.date ? make('time', { datetime: article.datetime || article.date, text: formatDate(article.date) }) : 'Undated',
      ' · ', languageName(article.lang));
    const parts = [backLink, heading, meta];
    const url = safeUrl(article.url);
    if (url) {
      parts.push(make('p', { className: 'original' },
        make('a', { href: url, rel: 'noopener noreferrer', target: '_blank', text: 'Original article' }),
        make('span', { className: 'url', text: ` ${article.url}` })));
    } else if (article.url) {
      parts.push(make('p', { className: 'original url', text: article.url }));
    }
    const body = make('div', { className: 'body', lang });
    for (const paragraph of (article.body || '').split(/\n+/)) {
      if (paragraph.trim()) body.append(make('p', { text: paragraph }));
    }
    parts.push(body);
    if (article.path) parts.push(make('p', { className: 'hint', text: `Indexed from ${article.path}` }));
    el.article.replaceChildren(...parts);
    if (!options.initial) heading.focus();
  }

  // ---- Wiring --------------------------------------------------------------------------

  el.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = el.q.value.trim();
    const current = readState(location.search);
    // A new query keeps the filters and the sort order, and starts at page 1.
    navigate(Object.assign(current, { q, page: 1, article: '' }));
  });

  el.sort.addEventListener('change', () => navigate(derive({ sort: el.sort.value })));

  $('home').addEventListener('click', (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(emptyState());
    el.q.focus();
  });

  window.addEventListener('popstate', () => render());

  // The facets fold away on small screens (one tap opens them) and stay open on wide ones.
  const wide = window.matchMedia('(min-width: 50em)');
  const fitFacets = () => { el.refine.open = wide.matches; };
  fitFacets();
  wide.addEventListener('change', fitFacets);

  // "/" jumps to the search box, as on many sites.
  document.addEventListener('keydown', (event) => {
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || '').toLowerCase();
    if (tag === 'input' || tag === 'textarea' || tag === 'select' || event.target.isContentEditable) return;
    event.preventDefault();
    el.q.focus();
    el.q.select();
  });

  render({ initial: true });
})();
