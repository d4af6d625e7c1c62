//! Random creation kernels: `rand` and `randn` draws from corepy's one global generator.
//!
//! They give, bit for bit, what the TypeScript writers in runtime/src/ops/random.ts give (the js
//! backend still runs those): the same xoshiro128** steps on u32, the same f64 arithmetic, the same
//! ziggurat tables (one generator writes both copies: scripts/ziggurat-tables.ts), and for the rare
//! draws that need them, `exp` and `log` imported from the host's own `Math` (V8 calls imported
//! `Math` functions directly, without leaving wasm), so a seeded script draws the same values on
//! every backend. The JavaScript loops ran in V8's interpreter on a first call: `randn` of 65,536
//! elements took 20–60 ms there against ~2 ms once optimised, and a profile called that the op's time.
//!
//! The generator's state lives in JavaScript between calls; a kernel reads it from `state`
//! (four u32), draws, and writes the advanced state back.

use crate::ziggurat_tables::{F, INV_R, K, R, W};

// The import names are not libm's, so the compiler cannot take the calls for its own library's.
#[link(wasm_import_module = "math")]
extern "C" {
    #[link_name = "log_f64"]
    fn host_log(x: f64) -> f64;
    #[link_name = "exp_f64"]
    fn host_exp(x: f64) -> f64;
}

/// xoshiro128** state, one step at a time.
struct Xoshiro([u32; 4]);

impl Xoshiro {
    /// Next u32 output, as random.ts's `nextU32()`.
    #[inline(always)]
    fn next_u32(&mut self) -> u32 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 9;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(11);
        result
    }

    /// Next uniform f64 in [0, 1): the u32 output over 2^32, as random.ts's `next()`.
    #[inline(always)]
    fn next(&mut self) -> f64 {
        self.next_u32() as f64 / 4_294_967_296.0
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

/// One standard normal value by the ziggurat method (Marsaglia and Tsang, 2000; the tables and
/// their layout are in scripts/ziggurat-tables.ts), as random.ts's `normal()`, step for step.
///
/// A draw u gives the layer i (bits 0–6), the sign (bit 7) and a magnitude j (bits 8–31); when
/// j < K[i] (98.8 % of draws) the value is ±j·W[i]. Otherwise [`normal_slow`] goes on from u.
#[inline(always)]
fn normal(g: &mut Xoshiro) -> f32 {
    let u = g.next_u32();
    let i = (u & 127) as usize;
    let j = u >> 8;
    if j < K[i] {
        f32::from_bits(((j as f64 * W[i]) as f32).to_bits() ^ ((u & 128) << 24))
    } else {
        // By value: a `&mut` would put the state in memory for the whole loop instead of locals.
        let (x, after) = normal_slow(Xoshiro(g.0), u);
        g.0 = after.0;
        x
    }
}

/// The rest of [`normal`] when u's point is not under the curve for sure: in layer 0, a value from
/// the tail beyond R (Marsaglia's exponential rejection, two uniforms per try); in another layer,
/// x = j·W[i] is kept when a uniform height in [F[i], F[i−1]) lies under e^{−x²/2}, else a new u
/// is drawn. Out of line, so the common case's loop stays small; returns the value and the state
/// after it.
#[cold]
#[inline(never)]
fn normal_slow(mut g: Xoshiro, mut u: u32) -> (f32, Xoshiro) {
    loop {
        let i = (u & 127) as usize;
        let j = u >> 8;
        let sign = (u & 128) << 24;
        if j < K[i] {
            return (f32::from_bits(((j as f64 * W[i]) as f32).to_bits() ^ sign), g);
        }
        let x = if i == 0 {
            loop {
                // 1 − next() is in (0, 1]: its log is finite.
                // SAFETY: imports of the host's Math functions: pure, no memory access.
                let x = -unsafe { host_log(1.0 - g.next()) } * INV_R;
                // SAFETY: as above.
                let y = -unsafe { host_log(1.0 - g.next()) };
                if !(y + y < x * x) {
                    break R + x;
                }
            }
        } else {
            let x = j as f64 * W[i];
            // SAFETY: as above.
            if !(F[i] + g.next() * (F[i - 1] - F[i]) < unsafe { host_exp(-0.5 * x * x) }) {
                u = g.next_u32();
                continue;
            }
            x
        };
        return (f32::from_bits((x as f32).to_bits() ^ sign), g);
    }
}

/// Writes `n` standard normal float32 values into `out`, one [`normal`] after another (each takes
/// one u32 from the generator, or more in the rare slow cases).
///
/// # Safety
/// `out` must point at `n` writable float32 elements and `state` at four u32 (see [`with_state`]).
#[no_mangle]
pub unsafe extern "C" fn randn_f32(out: *mut f32, n: usize, state: *mut u32) {
    // SAFETY: forwarded from the caller.
    unsafe {
        with_state(state, |g| {
            for i in 0..n {
                // SAFETY: i < n elements at out.
                *out.add(i) = normal(g);
            }
        });
    }
}
