//! Random creation kernels: `rand` and `randn` draws from corepy's one global generator.
//!
//! They give, bit for bit, what the TypeScript writers in runtime/src/ops/random.ts give (the js
//! backend still runs those): the same xoshiro128** steps on u32, the same f64 arithmetic, and
//! `log`, `sin`, `cos` and `sqrt` imported from the host's own `Math` (V8 calls imported `Math` functions
//! directly, without leaving wasm), so a seeded script draws the same values on every backend.
//! The JavaScript loops ran in V8's interpreter on a first call: `randn` of 65,536 elements took
//! 20–60 ms there against ~2 ms once optimised, and a profile called that the op's time.
//!
//! The generator's state lives in JavaScript between calls; a kernel reads it from `state`
//! (four u32), draws, and writes the advanced state back.

// The import names are not libm's, so the compiler cannot take the calls for its own library's.
#[link(wasm_import_module = "math")]
extern "C" {
    #[link_name = "log_f64"]
    fn host_log(x: f64) -> f64;
    #[link_name = "sin_f64"]
    fn host_sin(x: f64) -> f64;
    #[link_name = "cos_f64"]
    fn host_cos(x: f64) -> f64;
    // core has no f64 sqrt on this toolchain; V8 turns an imported Math.sqrt into f64.sqrt.
    #[link_name = "sqrt_f64"]
    fn host_sqrt(x: f64) -> f64;
}

/// 2π as JavaScript's `2 * Math.PI` (exact: a power-of-two multiple).
const TWO_PI: f64 = 2.0 * core::f64::consts::PI;

/// xoshiro128** state, one step at a time.
struct Xoshiro([u32; 4]);

impl Xoshiro {
    /// Next uniform f64 in [0, 1): the u32 output over 2^32, as random.ts's `next()`.
    #[inline(always)]
    fn next(&mut self) -> f64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 9;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(11);
        result as f64 / 4_294_967_296.0
    }
}

/// Runs `draw` with the generator state at `state`, then stores the advanced state back.
///
/// # Safety
/// `state` must point at four readable and writable u32 (any alignment).
unsafe fn with_state(state: *mut u32, draw: impl FnOnce(&mut Xoshiro)) {
    let mut g = Xoshiro([0; 4]);
    for (i, s) in g.0.iter_mut().enumerate() {
        // SAFETY: the caller guarantees four u32 at state.
        *s = unsafe { state.add(i).read_unaligned() };
    }
    draw(&mut g);
    for (i, s) in g.0.iter().enumerate() {
        // SAFETY: as above.
        unsafe { state.add(i).write_unaligned(*s) };
    }
}

/// Writes `n` uniform float32 values in [0, 1) into `out` (each f64 draw rounded to nearest).
///
/// # Safety
/// `out` must point at `n` writable float32 elements and `state` at four u32 (see [`with_state`]).
#[no_mangle]
pub unsafe extern "C" fn rand_f32(out: *mut f32, n: usize, state: *mut u32) {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_state(state, |g| {
            for i in 0..n {
                // SAFETY: i < n elements at out.
                *out.add(i) = g.next() as f32;
            }
        });
    }
}

/// Writes `n` standard normal float32 values into `out` by Box–Muller: each pair of draws (u, v)
/// gives `r·cos(2πv)` and `r·sin(2πv)` with `r = √(−2 ln(1 − u))`; an odd `n` still draws the
/// last pair and keeps its cosine only (as random.ts does).
///
/// # Safety
/// `out` must point at `n` writable float32 elements and `state` at four u32 (see [`with_state`]).
#[no_mangle]
pub unsafe extern "C" fn randn_f32(out: *mut f32, n: usize, state: *mut u32) {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_state(state, |g| {
            let mut i = 0;
            while i < n {
                let u = 1.0 - g.next();
                let v = g.next();
                // SAFETY: imports of the host's Math functions: pure, no memory access.
                let (l, c, s) = (host_log(u), host_cos(TWO_PI * v), if i + 1 < n { host_sin(TWO_PI * v) } else { 0.0 });
                let r = host_sqrt(-2.0 * l);
                // SAFETY: i < n elements at out.
                *out.add(i) = (r * c) as f32;
                if i + 1 < n {
                    // SAFETY: i + 1 < n.
                    *out.add(i + 1) = (r * s) as f32;
                }
                i += 2;
            }
        });
    }
}
