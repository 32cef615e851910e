console.log("hello from ts", process.argv.slice(2)); const x: number = 1; export {x}
