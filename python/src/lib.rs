use pyo3::prelude::*;
#[pymodule]
fn _tifa(_m: &Bound<'_, PyModule>) -> PyResult<()> { Ok(()) }
