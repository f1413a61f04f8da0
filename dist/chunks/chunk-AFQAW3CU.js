import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a as e}from"./chunk-46RVP3DS.js";var p=e((d,o)=>{o.exports=process.getBuiltinModule("node:os")});var i=e((l,s)=>{s.exports=process.getBuiltinModule("node:path")});var r=e((n,t)=>{t.exports=process.getBuiltinModule("node:fs/promises")});export{p as a,i as b,r as c};
