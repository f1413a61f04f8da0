import{a as o}from"./chunk-6DHFEWGX.js";var s=o((t,e)=>{e.exports=process.getBuiltinModule("node:fs")});export{s as a};
