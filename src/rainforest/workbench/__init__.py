"""Each role's home page (工作台): what waits for me, my recent work, shortcuts; and the public landing.

This package sits beside the programmes, not in their layers: it reads from every app's models and
selectors and writes nothing."""
