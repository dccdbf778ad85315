// Element ids of a field's control and of its error slot, from the field's dotted path.

export const fid = (path) => "f-" + path.replace(/\./g, "-");
export const eid = (path) => "e-" + path.replace(/\./g, "-");
