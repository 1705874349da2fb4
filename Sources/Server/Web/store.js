// Shared live state: the text streamed so far by requests in flight (from request.delta events), and
// the event id each one started at, so the detail page can replay its deltas from the start.

export const liveText = new Map(); // id → text so far
export const startEvent = new Map(); // id → event id of its request.started

const LIMIT = 500;

function trim(map) {
  if (map.size <= LIMIT) return;
  const drop = map.size - LIMIT;
  let i = 0;
  for (const k of map.keys()) { if (i++ >= drop) break; map.delete(k); }
}

/** Feeds one live event into the shared state. */
export function track(name, data, eventId) {
  if (name === 'request.started') {
    if (eventId) startEvent.set(data.id, eventId); // a string: ids pass 2^53
    trim(startEvent);
  } else if (name === 'request.delta') {
    liveText.set(data.id, (liveText.get(data.id) || '') + (data.text || ''));
    trim(liveText);
  } else if (name === 'request.completed') {
    liveText.delete(data.id);
  } else if (name === 'cleared') {
    liveText.clear();
    startEvent.clear();
  }
}
