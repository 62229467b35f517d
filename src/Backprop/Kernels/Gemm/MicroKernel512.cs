using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels;

/// <summary>The AVX-512 micro-kernel: the whole 6×32 tile in twelve Vector512 accumulators.</summary>
internal static unsafe class MicroKernel512
{
    private const int NR = Gemm.NR;

    /// <summary>
    /// C[6×32] (+)= A[6×kc]·Bpanel over kc steps, with C rows <paramref name="ldc"/> apart. A's column p is at
    /// <paramref name="a"/>'s step p, its rows <paramref name="rs"/> apart: a packed panel (<see cref="StridedColumns"/>,
    /// rs 1, stride 6), the matrix itself in either layout, or a convolution's image (<see cref="IndirectColumns"/>).
    /// The tile of C is prefetched and the products summed from zero, C added only at the end, so that C's
    /// cache misses overlap the loop instead of stalling its first FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TWalk>(int kc, TWalk a, nint rs, float* b, float* c, int ldc, bool load)
        where TWalk : struct, IColumnWalk
    {
        nint r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs;
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(c);
            Sse.Prefetch0(c + 16);
            Sse.Prefetch0(c + ldc);
            Sse.Prefetch0(c + ldc + 16);
            Sse.Prefetch0(c + (2 * ldc));
            Sse.Prefetch0(c + (2 * ldc) + 16);
            Sse.Prefetch0(c + (3 * ldc));
            Sse.Prefetch0(c + (3 * ldc) + 16);
            Sse.Prefetch0(c + (4 * ldc));
            Sse.Prefetch0(c + (4 * ldc) + 16);
            Sse.Prefetch0(c + (5 * ldc));
            Sse.Prefetch0(c + (5 * ldc) + 16);
        }

        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector512<float>.Zero;

        for (var p = 0; p < kc; p++)
        {
            var col = a.Next();
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var av = Vector512.Create(*col);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(col[rs]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(col[r2]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(col[r3]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(col[r4]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(col[r5]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            b += NR;
        }

        if (load)
        {
            c00 += Vector512.Load(c);
            c01 += Vector512.Load(c + 16);
            c10 += Vector512.Load(c + ldc);
            c11 += Vector512.Load(c + ldc + 16);
            c20 += Vector512.Load(c + (2 * ldc));
            c21 += Vector512.Load(c + (2 * ldc) + 16);
            c30 += Vector512.Load(c + (3 * ldc));
            c31 += Vector512.Load(c + (3 * ldc) + 16);
            c40 += Vector512.Load(c + (4 * ldc));
            c41 += Vector512.Load(c + (4 * ldc) + 16);
            c50 += Vector512.Load(c + (5 * ldc));
            c51 += Vector512.Load(c + (5 * ldc) + 16);
        }

        c00.Store(c);
        c01.Store(c + 16);
        c10.Store(c + ldc);
        c11.Store(c + ldc + 16);
        c20.Store(c + (2 * ldc));
        c21.Store(c + (2 * ldc) + 16);
        c30.Store(c + (3 * ldc));
        c31.Store(c + (3 * ldc) + 16);
        c40.Store(c + (4 * ldc));
        c41.Store(c + (4 * ldc) + 16);
        c50.Store(c + (5 * ldc));
        c51.Store(c + (5 * ldc) + 16);
    }
}
