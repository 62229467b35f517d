namespace Backprop.Kernels;

/// <summary>The portable micro-kernel, for CPUs without any accelerated vector width.</summary>
internal static unsafe class MicroKernelScalar
{
    private const int MR = Gemm.MR;
    private const int NR = Gemm.NR;

    /// <summary>C[6×32] (+)= A[6×kc]·Bpanel, as <see cref="MicroKernel512.Run"/> computes it, one element at a time.</summary>
    public static void Run(int kc, float* a, nint rs, nint cs, float* b, float* c, int ldc, bool load)
    {
        for (var r = 0; r < MR; r++)
        {
            for (var j = 0; j < NR; j++)
            {
                var sum = load ? c[(r * ldc) + j] : 0f;
                for (var p = 0; p < kc; p++)
                {
                    sum = MathF.FusedMultiplyAdd(a[(r * rs) + (p * cs)], b[(p * NR) + j], sum);
                }

                c[(r * ldc) + j] = sum;
            }
        }
    }
}
