  // Put here by tools/build_static.py in place of panel convert's install step: the packages the app imports, and
  // nothing else, in one call (Pyodide downloads them in parallel; no dependency resolution in the browser).
  self.postMessage({type: 'status', msg: 'Installing environment'})
  try {
    await self.pyodide.loadPackage(__PACKAGES__);
  } catch(e) {
    console.log(e)
    self.postMessage({type: 'status', msg: 'Error while installing packages'});
  }
