using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>The AVX2 micro-kernel: the 6×32 tile as two 6×16 halves of twelve Vector256 accumulators each.</summary>
internal static unsafe class MicroKernel256
{
    private const int NR = Gemm.NR;

    /// <summary>C[6×32] (+)= A[6×kc]·Bpanel, as <see cref="MicroKernel512.Run"/> computes it.</summary>
    public static void Run(int kc, float* a, nint rs, nint cs, float* b, float* c, int ldc, bool load)
    {
        Half(kc, a, rs, cs, b, c, ldc, load);
        Half(kc, a, rs, cs, b + 16, c + 16, ldc, load);
    }

    /// <summary>
    /// The AVX2 micro-kernel: C[6×16] (+)= A[6×kc]·B[kc×16], with B's rows NR apart (one half of a packed
    /// panel). Twelve Vector256 accumulators fit the sixteen AVX2 registers; the full 6×32 tile is two calls.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Half(int kc, float* a, nint rs, nint cs, float* b, float* c, int ldc, bool load)
    {
        float* a0 = a, a1 = a + rs, a2 = a + (2 * rs), a3 = a + (3 * rs), a4 = a + (4 * rs), a5 = a + (5 * rs);
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (load)
        {
            c00 = Vector256.Load(c);
            c01 = Vector256.Load(c + 8);
            c10 = Vector256.Load(c + ldc);
            c11 = Vector256.Load(c + ldc + 8);
            c20 = Vector256.Load(c + (2 * ldc));
            c21 = Vector256.Load(c + (2 * ldc) + 8);
            c30 = Vector256.Load(c + (3 * ldc));
            c31 = Vector256.Load(c + (3 * ldc) + 8);
            c40 = Vector256.Load(c + (4 * ldc));
            c41 = Vector256.Load(c + (4 * ldc) + 8);
            c50 = Vector256.Load(c + (5 * ldc));
            c51 = Vector256.Load(c + (5 * ldc) + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        }

        for (var p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var av = Vector256.Create(*a0);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(*a1);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(*a2);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(*a3);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(*a4);
            c40 = Vector256.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(*a5);
            c50 = Vector256.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
            a0 += cs;
            a1 += cs;
            a2 += cs;
            a3 += cs;
            a4 += cs;
            a5 += cs;
            b += NR;
        }

        c00.Store(c);
        c01.Store(c + 8);
        c10.Store(c + ldc);
        c11.Store(c + ldc + 8);
        c20.Store(c + (2 * ldc));
        c21.Store(c + (2 * ldc) + 8);
        c30.Store(c + (3 * ldc));
        c31.Store(c + (3 * ldc) + 8);
        c40.Store(c + (4 * ldc));
        c41.Store(c + (4 * ldc) + 8);
        c50.Store(c + (5 * ldc));
        c51.Store(c + (5 * ldc) + 8);
    }
}
