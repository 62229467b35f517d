using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

[Collection("Threading")]
public class GemmTests
{
    public static TheoryData<int, int, int> Sizes()
    {
        var data = new TheoryData<int, int, int>();
        int[] sizes = [1, 2, 3, 5, 17, 31, 33, 63, 65];
        foreach (var m in sizes)
        {
            data.Add(m, sizes[(m * 7) % sizes.Length], sizes[(m * 3) % sizes.Length]);
        }

        data.Add(257, 65, 300);
        data.Add(128, 256, 784);
        data.Add(7, 257, 513);
        data.Add(600, 65, 257);
        data.Add(1030, 40, 70);

        // Wide enough (16+ column panels per thread) that A is packed; steps of K that end a block of eight, follow one, or are all there is.
        data.Add(13, 1100, 37);
        data.Add(18, 1030, 16);
        data.Add(12, 1030, 8);
        return data;
    }

    private static float[] Random(int n, ulong seed) => KernelData.Uniform(n, seed);

    /// <summary>The plain triple loop, in double, over the logical operands.</summary>
    private static double[] Reference(float[] a, bool ta, float[] b, bool tb, float[] c0, int m, int n, int k, bool accumulate)
    {
        var c = new double[m * n];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = accumulate ? c0[(i * n) + j] : 0;
                for (var p = 0; p < k; p++)
                {
                    var av = ta ? a[(p * m) + i] : a[(i * k) + p];
                    var bv = tb ? b[(j * k) + p] : b[(p * n) + j];
                    sum += (double)av * bv;
                }

                c[(i * n) + j] = sum;
            }
        }

        return c;
    }

    /// <summary>Every element of C within the GEMM tolerance of the reference (it grows with √k, the length of each sum).</summary>
    private static void AssertClose(float[] c, double[] expected, int k, string context)
    {
        for (var i = 0; i < c.Length; i++)
        {
            Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-4 * Math.Sqrt(k) + 1e-5, $"{context} at {i}: {c[i]} vs {expected[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void MatchesReferenceInEveryLayoutAndThreadCount(int m, int n, int k)
    {
        var saved = Threads.Count;
        try
        {
            foreach (var threads in new[] { 1, 2 })
            {
                Threads.Count = threads;
                foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
                {
                    foreach (var accumulate in new[] { false, true })
                    {
                        var a = Random(m * k, 1);
                        var b = Random(k * n, 2);
                        var c = Random(m * n, 3);
                        var expected = Reference(a, ta, b, tb, c, m, n, k, accumulate);
                        Gemm.Multiply(a, ta, b, tb, c, m, n, k, accumulate);
                        AssertClose(c, expected, k, $"m={m} n={n} k={k} ta={ta} tb={tb} acc={accumulate} threads={threads}");
                    }
                }
            }
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    /// <summary>
    /// Products past the shared-panel threshold, where the threads pack B together and then split the rows (or the
    /// columns, when those are more), against the reference, with the same bits at 1, 2 and 3 threads. 1100 rows are
    /// 184 panels, not a whole number of MC blocks, and k = 1100 is several blocks of K.
    /// </summary>
    [Theory]
    [InlineData(1100, 300, 1100, false, false)]
    [InlineData(1100, 300, 1100, true, true)]
    [InlineData(130, 1500, 700, false, true)]
    public void SharedPanelProductsMatchTheReferenceAtAnyThreadCount(int m, int n, int k, bool ta, bool tb)
    {
        var saved = Threads.Count;
        try
        {
            var a = Random(m * k, 4);
            var b = Random(k * n, 5);
            var c0 = Random(m * n, 6);
            var expected = Reference(a, ta, b, tb, c0, m, n, k, accumulate: true);
            float[]? first = null;
            foreach (var threads in new[] { 1, 2, 3 })
            {
                Threads.Count = threads;
                var c = (float[])c0.Clone();
                Gemm.Multiply(a, ta, b, tb, c, m, n, k, accumulate: true);
                AssertClose(c, expected, k, $"m={m} n={n} k={k} threads={threads}");

                first ??= c;
                Assert.Equal(first, c);
            }
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Fact]
    public void NaNAndInfinityPropagate()
    {
        int m = 7, n = 35, k = 9;
        var a = Random(m * k, 4);
        var b = Random(k * n, 5);
        a[(2 * k) + 3] = float.NaN;
        b[(4 * n) + 33] = float.PositiveInfinity;
        var c = new float[m * n];
        Gemm.Multiply(a, false, b, false, c, m, n, k, accumulate: false);
        for (var j = 0; j < n; j++)
        {
            Assert.True(float.IsNaN(c[(2 * n) + j]), $"row 2 column {j} should be NaN");
        }

        // Column 33 meets +Inf times a finite non-zero a[i,4]: ±Inf in every row but the NaN row.
        Assert.True(float.IsInfinity(c[33]));
        Assert.True(float.IsNaN(c[(2 * n) + 33]));
    }

    [Fact]
    public void ZeroInnerDimensionGivesZerosOrLeavesC()
    {
        var c = new float[] { 1, 2, 3, 4 };
        Gemm.Multiply([], false, [], false, c, 2, 2, 0, accumulate: true);
        Assert.Equal([1f, 2f, 3f, 4f], c);
        Gemm.Multiply([], false, [], false, c, 2, 2, 0, accumulate: false);
        Assert.Equal([0f, 0f, 0f, 0f], c);
    }

    public static TheoryData<string> MicroKernels => new() { "vector512", "vector256", "vector128", "scalar" };

    /// <summary>Every micro-kernel (whichever this CPU would pick) against the plain loop, on a packed A panel and on A read in place.</summary>
    [Theory]
    [MemberData(nameof(MicroKernels))]
    public unsafe void EveryMicroKernelMatchesTheReference(string kernel)
    {
        if ((kernel == "vector512" && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) || (kernel == "vector256" && !System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            || (kernel == "vector128" && !System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated))
        {
            return;
        }

        foreach (var kc in new[] { 1, 3, 17, 256 })
        {
            foreach (var (rs, cs) in new[] { (1, 6), (kc + 3, 1) })
            {
                var a = Random(6 * (kc + 3) * 6, 7);
                var b = Random(kc * 32, 8);
                foreach (var load in new[] { false, true })
                {
                    var c = Random(6 * 40, 9);
                    var expected = new double[6 * 32];
                    for (var r = 0; r < 6; r++)
                    {
                        for (var j = 0; j < 32; j++)
                        {
                            double sum = load ? c[(r * 40) + j] : 0;
                            for (var p = 0; p < kc; p++)
                            {
                                sum += (double)a[(r * rs) + (p * cs)] * b[(p * 32) + j];
                            }

                            expected[(r * 32) + j] = sum;
                        }
                    }

                    fixed (float* pa = a, pb = b, pc = c)
                    {
                        switch (kernel)
                        {
                            case "vector512":
                                MicroKernel512.Run(kc, new StridedColumns(pa, cs), rs, pb, pc, 40, load);
                                break;
                            case "vector256":
                                MicroKernel256.Run(kc, new StridedColumns(pa, cs), rs, pb, pc, 40, load);
                                break;
                            case "vector128":
                                MicroKernel128.Run(kc, new StridedColumns(pa, cs), rs, pb, pc, 40, load);
                                break;
                            default:
                                MicroKernelScalar.Run(kc, new StridedColumns(pa, cs), rs, pb, pc, 40, load);
                                break;
                        }
                    }

                    for (var r = 0; r < 6; r++)
                    {
                        for (var j = 0; j < 32; j++)
                        {
                            Assert.True(Math.Abs(c[(r * 40) + j] - expected[(r * 32) + j]) <= 1e-4 * Math.Sqrt(kc) + 1e-5, $"{kernel} kc={kc} rs={rs} load={load} at ({r},{j})");
                        }
                    }
                }
            }
        }
    }

    /// <summary>The AVX-512 12×32 tile against the plain loop: two packed panels apart in memory, and A read in place (rows 6-11 after rows 0-5).</summary>
    [Fact]
    public unsafe void TheTallAvx512TileMatchesTheReference()
    {
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            return;
        }

        foreach (var kc in new[] { 1, 3, 17, 256 })
        {
            // Packed: rows r < 6 of column p at p·6 + r, rows 6-11 at second + p·6 + r − 6; in place: row r at r·rs + p.
            var second = (6 * kc) + 5;
            foreach (var (rs, cs, gap) in new[] { (1, 6, second), (kc + 3, 1, 6 * (kc + 3)) })
            {
                var a = Random(12 * (kc + 3) * 2, 17);
                var b = Random(kc * 32, 18);
                foreach (var load in new[] { false, true })
                {
                    var c = Random(12 * 40, 19);
                    var expected = new double[12 * 32];
                    for (var r = 0; r < 12; r++)
                    {
                        var row = r < 6 ? r * rs : gap + ((r - 6) * rs);
                        for (var j = 0; j < 32; j++)
                        {
                            double sum = load ? c[(r * 40) + j] : 0;
                            for (var p = 0; p < kc; p++)
                            {
                                sum += (double)a[row + (p * cs)] * b[(p * 32) + j];
                            }

                            expected[(r * 32) + j] = sum;
                        }
                    }

                    fixed (float* pa = a, pb = b, pc = c)
                    {
                        MicroKernel512.RunTall(kc, new StridedColumns(pa, cs), gap, rs, pb, pc, 40, load);
                    }

                    for (var r = 0; r < 12; r++)
                    {
                        for (var j = 0; j < 32; j++)
                        {
                            Assert.True(Math.Abs(c[(r * 40) + j] - expected[(r * 32) + j]) <= 1e-4 * Math.Sqrt(kc) + 1e-5, $"kc={kc} rs={rs} load={load} at ({r},{j})");
                        }
                    }
                }
            }
        }
    }

    /// <summary>CI reruns the kernel tests with AVX-512, AVX or all intrinsics switched off; each run must really take that path.</summary>
    [Fact]
    public void TheKernelPathFollowsTheRuntimeSwitches()
    {
        static bool Off(string name) => Environment.GetEnvironmentVariable("DOTNET_" + name) == "0";
        var expected = Off("EnableHWIntrinsic") ? "portable" : Off("EnableAVX") ? "vector128" : Off("EnableAVX512") ? "avx2" : null;
        if (expected is null)
        {
            Assert.Contains(MicroKernel.Path, new[] { "avx512", "avx2", "vector128", "portable" });
        }
        else
        {
            Assert.Equal(expected, MicroKernel.Path);
        }
    }

    [Theory]
    [InlineData("1024K", 1 << 20)]
    [InlineData("2M\n", 2 << 20)]
    [InlineData("65536", 65536)]
    [InlineData("lots", null)]
    [InlineData("0K", null)]
    [InlineData("99999999M", null)]
    public void CacheSizesParseAsSysfsWritesThem(string text, int? bytes) => Assert.Equal(bytes, GemmBlocking.ParseSize(text));

    [Fact]
    public void BlocksOfKAreEqualAndNoDeeperThanKC()
    {
        Assert.InRange(GemmBlocking.KC, 256, 1024);
        Assert.Equal(0, GemmBlocking.MC % Gemm.MR);
        foreach (var k in new[] { 1, 7, GemmBlocking.KC, GemmBlocking.KC + 1, 784, 2048, 4097 })
        {
            var depth = GemmBlocking.BlockDepth(k);
            var blocks = (k + depth - 1) / depth;
            Assert.InRange(depth, 1, GemmBlocking.KC);
            Assert.True(k - ((blocks - 1) * depth) > depth - blocks, $"k={k}: the last of {blocks} blocks of {depth} is a sliver");
        }
    }
}
