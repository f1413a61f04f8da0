import{a as t}from"./chunk-6DHFEWGX.js";var o=t((s,e)=>{e.exports=process.getBuiltinModule("node:https")});export{o as a};
