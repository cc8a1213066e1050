// The result pane: one task, followed live, with a Cancel button while it can still be cancelled.
import { ApiError, call, followTask, isTerminal } from './api.js';
import { el, formatTime } from './dom.js';

const view = () => document.getElementById('task');
let current = null;

function stopFollowing() {
  if (!current) return;
  current.controller.abort();
  clearInterval(current.timer);
  current = null;
}

function detail(task) {
  if (task.status === 'QUEUED') {
    const parts = ['Waiting for a worker'];
    if (task.queue_position !== undefined && task.queue_position !== null) parts.push(`position ${task.queue_position}`);
    if (task.eta_seconds !== undefined && task.eta_seconds !== null) parts.push(`about ${Math.round(task.eta_seconds)} s`);
    return parts.join(' · ');
  }
  if (task.status === 'RUNNING') {
    const since = task.started_at || task.created_at;
    return since ? `Running for ${Math.max(0, Math.round(Date.now() / 1000 - since))} s` : 'Running';
  }
  if (task.status === 'SUCCEEDED' && task.completed_at && task.started_at) {
    return `Done in ${task.completed_at - task.started_at} s`;
  }
  return '';
}

function resultBlock(result) {
  const images = (result.data || []).map((image, index) => el('figure', {},
    el('a', { href: image.url, target: '_blank', rel: 'noopener noreferrer' },
      el('img', { src: image.url || `data:image/png;base64,${image.b64_json}`, alt: `Generated image ${index + 1}` })),
    el('figcaption', {},
      el('a', { href: image.url, download: '', target: '_blank', rel: 'noopener noreferrer' }, 'Download'))));
  const revised = (result.data || []).map((i) => i.revised_prompt).filter(Boolean);
  const usage = result.usage || {};
  const facts = [];
  if (revised.length) facts.push(['Revised prompt', revised[0]]);
  facts.push(['Images', String(usage.generated_images ?? (result.data || []).length)]);
  if (usage.total_tokens) facts.push(['Tokens', `${usage.input_tokens} in · ${usage.output_tokens} out`]);
  if (result.cost) facts.push(['Cost', `${result.cost.amount} ${result.cost.currency}`]);
  return [el('div', { class: 'images' }, images),
    el('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]))];
}

/** Draws the task (or a synchronous images response wrapped as a finished task). */
export function render(task, note) {
  const cancellable = !isTerminal(task) && task.id;
  const node = view();
  node.className = `task status-${task.status.toLowerCase()}`;
  node.dataset.status = task.status;
  if (task.id) node.dataset.taskId = task.id;
  else delete node.dataset.taskId;
  node.replaceChildren(...[
    el('div', { class: 'status-line' },
      el('span', { class: 'badge', id: 'task-status' }, task.status),
      el('span', { class: 'detail', id: 'task-detail' }, detail(task)),
      cancellable ? el('button', { type: 'button', id: 'cancel', onclick: () => cancel(task.id) }, 'Cancel') : null),
    el('p', { class: 'meta' }, [task.id, task.model, task.size, task.mode, formatTime(task.created_at)]
      .filter(Boolean).join(' · ')),
    task.prompt ? el('p', { class: 'prompt' }, task.prompt) : null,
    ...(task.result ? resultBlock(task.result) : []),
    task.error ? el('p', { class: 'task-error', role: 'alert' }, task.error.message,
      task.error.code ? el('span', { class: 'code' }, ` (${task.error.code})`) : null) : null,
    el('p', { class: 'task-error', id: 'task-error', role: 'alert', hidden: !note }, note || ''),
  ].filter(Boolean));
  if (current && current.id === task.id) current.task = task;
}

async function cancel(id) {
  try {
    render(await call('POST', `/v1/images/generations/${encodeURIComponent(id)}/cancel`));
  } catch (e) {
    const shown = current && current.id === id ? current.task : null;
    if (shown) render(shown, e.message);
  }
}

/** Shows the task and, until it ends, follows its events; `onEnd` runs once it is terminal. */
export async function track(task, onEnd) {
  if (current && current.id === task.id) return;
  stopFollowing();
  render(task);
  if (isTerminal(task)) return;
  const mine = { id: task.id, task, controller: new AbortController() };
  // Elapsed time moves between events too.
  mine.timer = setInterval(() => {
    const detailNode = document.getElementById('task-detail');
    if (detailNode && current === mine) detailNode.textContent = detail(mine.task);
  }, 1000);
  current = mine;
  try {
    await followTask(task.id, (next) => { if (current === mine) render(next); }, mine.controller.signal);
    if (current === mine) onEnd();
  } catch (e) {
    if (e.name === 'AbortError') return;
    if (current === mine) render(mine.task, e instanceof ApiError ? e.message : `Lost the task: ${e.message}`);
  } finally {
    clearInterval(mine.timer);
    if (current === mine) current = null;
  }
}

export function showNothing(message) {
  stopFollowing();
  const node = view();
  node.className = 'task empty';
  delete node.dataset.status;
  delete node.dataset.taskId;
  node.replaceChildren(el('p', {}, message));
}
