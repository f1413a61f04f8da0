var t,a=()=>t??=import("./default-chain.js"),d=(r={})=>{let e;return async o=>(e??=(await a()).defaultProvider(r),e(o))},i=(r={})=>d({...r});export{d as a,i as b};
