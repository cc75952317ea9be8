//! `accord._accord`: the native module behind the `accord` Python package
//! (`python/accord`). It only converts between Python and the library
//! crates — every computation is the same code the `accord` binary runs —
//! and it releases the GIL for the long ones.
//!
//! Submodules: `egt` (evolutionary dynamics with EGTtools' conventions),
//! `protocol` (protocol files and event replays), `log` (transparency-log
//! verification), `sim` (simulation runs and evaluations), `design`
//! (Latin hypercubes, Saltelli designs, Sobol' indices). Errors are `accord.AccordError` subclasses carrying the
//! library's message (file, line and field where there are ones).

// Exceptions are named `accord._accord.X`, an importable path, so they
// pickle: an error raised on a Dask worker reaches the client as itself.
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

mod design;
mod egt;
mod log;
mod protocol;
mod sim;

create_exception!(
    accord._accord,
    AccordError,
    PyException,
    "Any error raised by Accord."
);
create_exception!(
    accord._accord,
    GameError,
    AccordError,
    "A game or model that cannot be built."
);
create_exception!(
    accord._accord,
    DynamicsError,
    AccordError,
    "An analysis of the dynamics that cannot be done."
);
create_exception!(
    accord._accord,
    ProtocolError,
    AccordError,
    "A protocol file or event stream that does not parse or validate."
);
create_exception!(
    accord._accord,
    VerificationError,
    AccordError,
    "A checkpoint, proof or bundle that does not verify."
);

create_exception!(
    accord._accord,
    WorldError,
    AccordError,
    "A world file that does not parse or validate, or an evaluation plan out of range."
);

#[pymodule]
fn _accord(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("AccordError", py.get_type::<AccordError>())?;
    m.add("GameError", py.get_type::<GameError>())?;
    m.add("DynamicsError", py.get_type::<DynamicsError>())?;
    m.add("ProtocolError", py.get_type::<ProtocolError>())?;
    m.add("VerificationError", py.get_type::<VerificationError>())?;
    m.add("WorldError", py.get_type::<WorldError>())?;
    for (name, register) in [
        (
            "egt",
            egt::register as fn(&Bound<'_, PyModule>) -> PyResult<()>,
        ),
        ("protocol", protocol::register),
        ("log", log::register),
        ("sim", sim::register),
        ("design", design::register),
    ] {
        let module = PyModule::new(py, name)?;
        register(&module)?;
        m.add_submodule(&module)?;
    }
    Ok(())
}
