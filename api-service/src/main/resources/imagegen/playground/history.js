// The history pane: the caller's images (GET /v1/images) and, where the API has it, the task list; kept on the
// server, so a reload with the key still in sessionStorage shows the same history.
import { ApiError, call } from './api.js';
import { el, formatTime } from './dom.js';

/** Pages of images read per refresh; the API lists oldest first, at most 100 a page. */
const MAX_PAGES = 5;

async function allImages() {
  const images = [];
  let after = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = `limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`;
    const list = await call('GET', `/v1/images?${query}`);
    images.push(...(list.data || []));
    if (!list.has_more || !list.last_id) break;
    after = list.last_id;
  }
  return images.reverse();
}

function imageItem(image, onChange) {
  const status = el('p', { class: 'item-error', role: 'alert', hidden: true });
  const remove = async () => {
    try {
      await call('DELETE', `/v1/images/${encodeURIComponent(image.id)}`);
      onChange();
    } catch (e) {
      status.textContent = e.message;
      status.hidden = false;
    }
  };
  return el('li', { 'data-image-id': image.id },
    el('a', { href: image.url, target: '_blank', rel: 'noopener noreferrer' },
      el('img', { src: image.url, alt: `Image ${image.id}`, loading: 'lazy' })),
    el('div', { class: 'item-meta' },
      el('span', {}, image.model || ''),
      el('span', {}, formatTime(image.created_at)),
      el('span', { class: 'actions' },
        el('a', { href: image.url, download: '', target: '_blank', rel: 'noopener noreferrer' }, 'Download'),
        el('button', { type: 'button', class: 'link danger', 'aria-label': `Delete image ${image.id}`,
          onclick: remove }, 'Delete'))),
    status);
}

function taskItem(task, onOpen) {
  return el('li', {},
    el('button', { type: 'button', class: 'task-link', onclick: () => onOpen(task) },
      el('span', { class: `badge small status-${String(task.status).toLowerCase()}` }, task.status),
      el('span', { class: 'task-prompt' }, task.prompt || task.id),
      el('span', { class: 'task-when' }, formatTime(task.created_at))));
}

async function loadTasks(onOpen) {
  const block = document.getElementById('tasks-block');
  try {
    const list = await call('GET', '/v1/images/generations?limit=20');
    const tasks = (list.data || []).slice().sort((a, b) => (b.created_at || 0) - (a.created_at || 0));
    document.getElementById('task-list').replaceChildren(...tasks.map((t) => taskItem(t, onOpen)));
    block.hidden = tasks.length === 0;
  } catch (e) {
    // An API without the task list answers 404/405: the pane then shows images only.
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) {
      block.hidden = true;
      return;
    }
    throw e;
  }
}

/** Redraws the pane; `onOpen` shows a task from the list in the result pane. */
export async function refreshHistory(onOpen) {
  const list = document.getElementById('image-list');
  const [images] = await Promise.all([allImages(), loadTasks(onOpen)]);
  list.replaceChildren(...images.map((image) => imageItem(image, () => refreshHistory(onOpen))));
  document.getElementById('history-empty').hidden = images.length > 0;
}
