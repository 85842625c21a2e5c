import init from "/console/carbot_console.js";
init({ module_or_path: "/console/carbot_console_bg.wasm" });
