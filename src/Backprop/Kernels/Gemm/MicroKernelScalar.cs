namespace Backprop.Kernels;

/// <summary>The portable micro-kernel, for CPUs without any accelerated vector width.</summary>
internal static unsafe class MicroKernelScalar
{
    private const int MR = Gemm.MR;
    private const int NR = Gemm.NR;

    /// <summary>
    /// C[6×32] (+)= A[6×kc]·Bpanel, as <see cref="MicroKernel512.Run"/> computes it, one element at a time: each
    /// element's sum runs over p in order with fused multiply-adds, as in the vector kernels.
    /// </summary>
    public static void Run<TWalk>(int kc, TWalk a, nint rs, float* b, float* c, int ldc, bool load)
        where TWalk : struct, IColumnWalk
    {
        var tile = stackalloc float[MR * NR];
        for (var r = 0; r < MR; r++)
        {
            for (var j = 0; j < NR; j++)
            {
                tile[(r * NR) + j] = load ? c[(r * ldc) + j] : 0f;
            }
        }

        for (var p = 0; p < kc; p++, b += NR)
        {
            var column = a.Next();
            for (var r = 0; r < MR; r++)
            {
                var av = column[r * rs];
                for (var j = 0; j < NR; j++)
                {
                    tile[(r * NR) + j] = MathF.FusedMultiplyAdd(av, b[j], tile[(r * NR) + j]);
                }
            }
        }

        for (var r = 0; r < MR; r++)
        {
            for (var j = 0; j < NR; j++)
            {
                c[(r * ldc) + j] = tile[(r * NR) + j];
            }
        }
    }
}
