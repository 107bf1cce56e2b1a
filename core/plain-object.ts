/**
 * "Is this plain data?" for every realm. Objects built in a Node-RED Function node (a `vm`
 * context) or an n8n Code node have their own `Object.prototype`, so comparing prototypes with
 * ours would refuse every object a user's script made; a plain object's prototype is, in any
 * realm, an object whose own prototype is null.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || (Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(value) === '[object Object]');
}
