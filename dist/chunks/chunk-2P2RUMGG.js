import{a as e}from"./chunk-6DHFEWGX.js";var t=e((p,o)=>{o.exports=process.getBuiltinModule("node:os")});var i=e((r,s)=>{s.exports=process.getBuiltinModule("node:fs/promises")});export{t as a,i as b};
