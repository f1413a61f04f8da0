import{a as o}from"./chunk-6DHFEWGX.js";var t=o((p,e)=>{e.exports=process.getBuiltinModule("node:path")});export{t as a};
