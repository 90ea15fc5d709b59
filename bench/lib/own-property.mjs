// For bench/own-keys.mjs: the constant it imports, to compare with one defined in the module using it.
export const ownProperty = Object.prototype.hasOwnProperty;
