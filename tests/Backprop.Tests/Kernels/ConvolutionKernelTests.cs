namespace Backprop.Tests.Kernels;

/// <summary>Conv2d and ConvTranspose2d, forward and both gradients, against a plain loop in double on awkward sizes.</summary>
[Collection("Threading")]
public class ConvolutionKernelTests
{
    /// <summary>N, C, H, W, Cout, kH, kW, stride (h, w), padding (h, w, or −1 for "same"), dilation, groups.</summary>
    public static TheoryData<int[]> Cases() => new()
    {
        new[] { 1, 3, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1 },
        new[] { 2, 4, 11, 8, 6, 3, 2, 2, 2, 1, 0, 1, 1, 2 },
        new[] { 3, 6, 9, 9, 6, 3, 3, 1, 1, 2, 2, 2, 2, 6 },
        new[] { 2, 5, 6, 7, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1 },
        new[] { 1, 2, 13, 13, 3, 7, 7, 3, 3, 3, 3, 1, 1, 1 },
        new[] { 5, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1 },
        new[] { 2, 3, 5, 5, 4, 1, 1, 2, 2, 0, 0, 1, 1, 1 },
        new[] { 2, 3, 6, 5, 2, 4, 2, 1, 1, -1, -1, 1, 1, 1 },
        new[] { 3, 4, 8, 10, 6, 3, 5, 2, 3, 2, 1, 3, 1, 2 },
        new[] { 7, 3, 4, 4, 5, 2, 2, 1, 1, 0, 0, 1, 1, 1 },

        // The forward packs colᵀ from the image: 1,035 taps split into K blocks that start inside a channel,
        // panels of six positions that straddle output rows of 14, runs inside the image and runs over the padding;
        // the weight gradient packs col the same way (stride 2 and groups in the last).
        new[] { 2, 115, 9, 14, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1 },
        new[] { 1, 8, 12, 20, 5, 3, 3, 1, 1, 2, 2, 2, 2, 1 },
        new[] { 1, 8, 10, 30, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1 },
        new[] { 2, 16, 21, 21, 8, 3, 3, 2, 2, 1, 1, 1, 1, 2 },

        // Stride 1 with 64 or more output taps (the forward packs from the image, the input gradient folds): dilation
        // with groups, an even "same" kernel (1 row of padding on top, 2 below), a 7×7 without padding, and padding
        // wider than the kernel's reach.
        new[] { 2, 6, 9, 11, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1 },
        new[] { 2, 8, 10, 12, 24, 3, 3, 1, 1, 2, 1, 2, 1, 2 },
        new[] { 1, 4, 7, 9, 20, 4, 2, 1, 1, -1, -1, 1, 1, 1 },
        new[] { 1, 3, 15, 13, 8, 7, 7, 1, 1, 0, 0, 1, 1, 1 },
        new[] { 1, 2, 5, 5, 16, 3, 3, 1, 1, 3, 3, 1, 1, 1 },

        // The weight gradient's vector packing of col (blocks of 8 positions with AVX, 4 with SSE or AdvSimd): runs
        // inside the image of 21 and 35 positions, so each ends with a block overlapping the one before; 1,517
        // positions split into K blocks that start inside an output row; output rows of 2, so that a panel of six
        // positions in the forward spans three rows.
        new[] { 1, 8, 11, 23, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1 },
        new[] { 1, 8, 41, 37, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1 },
        new[] { 1, 16, 8, 4, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1 },

        // Few taps and many outputs, whose weight gradient is summed transposed (dwᵀ = col·dyᵀ fills the micro-tiles
        // better): a first layer (one channel, 28×28, as W7's conv1), two groups of one channel each, and a 1×1 kernel.
        new[] { 1, 2, 9, 9, 64, 3, 3, 1, 1, 1, 1, 1, 1, 2 },
        new[] { 2, 4, 5, 6, 32, 1, 1, 1, 1, 0, 0, 1, 1, 1 },

        // Winograd's F(2×2, 3×3) (3×3, stride 1, 16 channels or more): odd outputs (a last tile half outside), rows of
        // fewer tiles than a vector, rows of 21 tiles (the last vector overlapping the one before), padding 0 or 2 (so
        // the input gradient's is 2 or 0), padding that differs between height and width, "same", and an image cut
        // into four blocks of tile rows.
        new[] { 2, 17, 9, 11, 19, 3, 3, 1, 1, 1, 1, 1, 1, 1 },
        new[] { 1, 16, 7, 5, 16, 3, 3, 1, 1, 0, 0, 1, 1, 1 },
        new[] { 3, 24, 6, 40, 16, 3, 3, 1, 1, 2, 2, 1, 1, 1 },
        new[] { 2, 16, 10, 7, 20, 3, 3, 1, 1, 0, 2, 1, 1, 1 },
        new[] { 1, 16, 6, 6, 16, 3, 3, 1, 1, -1, -1, 1, 1, 1 },
        new[] { 1, 64, 30, 60, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1 },

        // Rows that the transforms read straight from the image or dy (whole tiles that fill the vectors' stride, no
        // padding across): an odd number of output rows (the last tile row has no second row, and reads below the
        // image), padding above and below only, and W7's conv2 itself.
        new[] { 2, 16, 7, 18, 16, 3, 3, 1, 1, 0, 0, 1, 1, 1 },
        new[] { 1, 16, 6, 18, 16, 3, 3, 1, 1, 2, 0, 1, 1, 1 },
        new[] { 2, 32, 26, 26, 64, 3, 3, 1, 1, 0, 0, 1, 1, 1 },

        // Whole images two to a block, and a last block of one (with two threads, three images each).
        new[] { 6, 48, 26, 26, 48, 3, 3, 1, 1, 0, 0, 1, 1, 1 },
    };

    private static float[] Random(int n, ulong seed) => KernelData.Uniform(n, seed);

    /// <summary>The convolution as seven nested loops in double: output, and the input and weight gradients for output gradient dy.</summary>
    private static (double[] Y, double[] Dx, double[] Dw, int OutH, int OutW) Reference(int[] c, float[] x, float[] w, float[] b, Func<int, float> dy)
    {
        int n = c[0], ch = c[1], h = c[2], wd = c[3], cout = c[4], kh = c[5], kw = c[6], sh = c[7], sw = c[8], dh = c[11], dw = c[12], groups = c[13];
        int ph = c[9], pw = c[10];
        int outH, outW;
        if (ph < 0)
        {
            ph = dh * (kh - 1) / 2;
            pw = dw * (kw - 1) / 2;
            outH = h;
            outW = wd;
        }
        else
        {
            outH = ((h + (2 * ph) - (dh * (kh - 1)) - 1) / sh) + 1;
            outW = ((wd + (2 * pw) - (dw * (kw - 1)) - 1) / sw) + 1;
        }

        int cg = ch / groups, og = cout / groups;
        var y = new double[n * cout * outH * outW];
        var dx = new double[x.Length];
        var dwt = new double[w.Length];
        for (var i = 0; i < n; i++)
        {
            for (var o = 0; o < cout; o++)
            {
                var grp = o / og;
                for (var oy = 0; oy < outH; oy++)
                {
                    for (var ox = 0; ox < outW; ox++)
                    {
                        var yi = (((i * cout) + o) * outH * outW) + (oy * outW) + ox;
                        double sum = b[o];
                        for (var cc = 0; cc < cg; cc++)
                        {
                            var inC = (grp * cg) + cc;
                            for (var ki = 0; ki < kh; ki++)
                            {
                                for (var kj = 0; kj < kw; kj++)
                                {
                                    int iy = (oy * sh) - ph + (ki * dh), ix = (ox * sw) - pw + (kj * dw);
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
                                    {
                                        continue;
                                    }

                                    var xi = (((i * ch) + inC) * h * wd) + (iy * wd) + ix;
                                    var wi = (((o * cg) + cc) * kh * kw) + (ki * kw) + kj;
                                    sum += (double)x[xi] * w[wi];
                                    dx[xi] += (double)w[wi] * dy(yi);
                                    dwt[wi] += (double)x[xi] * dy(yi);
                                }
                            }
                        }

                        y[yi] = sum;
                    }
                }
            }
        }

        return (y, dx, dwt, outH, outW);
    }

    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var tol = 1e-4 + (1e-4 * Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol, $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conv2dMatchesTheLoop(int[] c)
    {
        int[] xs = [c[0], c[1], c[2], c[3]], ws = [c[4], c[1] / c[13], c[5], c[6]];
        var x = Random(xs.Aggregate(1, (p, d) => p * d), 1);
        var w = Random(ws.Aggregate(1, (p, d) => p * d), 2);
        var b = Random(c[4], 3);
        var input = Tensor.FromArray(x, xs).SetRequiresGrad();
        var weight = Tensor.FromArray(w, ws).SetRequiresGrad();
        var bias = Tensor.FromArray(b, [c[4]]).SetRequiresGrad();
        ConvPadding padding = c[9] < 0 ? ConvPadding.Same : (c[9], c[10]);
        var y = Tensor.Conv2d(input, weight, bias, (c[7], c[8]), padding, (c[11], c[12]), c[13]);
        var dyData = Random(y.Numel, 4);
        var (ey, edx, edw, outH, outW) = Reference(c, x, w, b, i => dyData[i]);
        Assert.Equal([c[0], c[4], outH, outW], y.Shape);
        AssertClose(ey, y.ToArray(), "y");
        y.Backward(Tensor.FromArray(dyData, y.Shape));
        AssertClose(edx, input.Grad!.ToArray(), "dx");
        AssertClose(edw, weight.Grad!.ToArray(), "dw");
        var edb = new double[c[4]];
        for (var i = 0; i < dyData.Length; i++)
        {
            edb[i / (outH * outW) % c[4]] += dyData[i];
        }

        AssertClose(edb, bias.Grad!.ToArray(), "db");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ConvTranspose2dIsTheAdjointOfConv2d(int[] c)
    {
        if (c[9] < 0)
        {
            return; // "same" has no transposed form
        }

        // conv_transpose2d(dy, w) is conv2d's input gradient, and its weight gradient swaps the roles of x and dy.
        int[] xs = [c[0], c[1], c[2], c[3]], ws = [c[4], c[1] / c[13], c[5], c[6]];
        var x = Random(xs.Aggregate(1, (p, d) => p * d), 5);
        var w = Random(ws.Aggregate(1, (p, d) => p * d), 6);
        var zero = new float[c[4]];
        var probe = Tensor.Conv2d(Tensor.FromArray(x, xs), Tensor.FromArray(w, ws), null, (c[7], c[8]), (c[9], c[10]), (c[11], c[12]), c[13]);
        var dyData = Random(probe.Numel, 7);
        var (_, edx, edw, outH, outW) = Reference(c, x, w, zero, i => dyData[i]);
        int extraH = c[2] - (((outH - 1) * c[7]) - (2 * c[9]) + (c[11] * (c[5] - 1)) + 1);
        int extraW = c[3] - (((outW - 1) * c[8]) - (2 * c[10]) + (c[12] * (c[6] - 1)) + 1);
        var dy = Tensor.FromArray(dyData, probe.Shape).SetRequiresGrad();
        var weight = Tensor.FromArray(w, ws).SetRequiresGrad();
        var up = Tensor.ConvTranspose2d(dy, weight, null, (c[7], c[8]), (c[9], c[10]), (extraH, extraW), c[13], (c[11], c[12]));
        Assert.Equal(xs, up.Shape);
        AssertClose(edx, up.ToArray(), "convT");

        // Backward with output gradient x: dy's gradient is conv2d(x, w), and the weight's is Σ x·dy as for conv2d.
        up.Backward(Tensor.FromArray(x, xs));
        var forward = Reference(c, x, w, zero, _ => 0f).Y;
        AssertClose(forward, dy.Grad!.ToArray(), "d(dy)");
        AssertClose(edw, weight.Grad!.ToArray(), "dw");
    }

    [Fact]
    public void ALargeBiasGradientIsTheSameOnEveryThreadCount()
    {
        // dy of 9 × 17 × 119 × 127 ≈ 2.3M elements: the channels are shared among the threads.
        var x = Tensor.Uniform([9, 2, 119, 127], -1f, 1f, new Generator(11));
        var dy = Tensor.Uniform([9, 17, 119, 127], 0f, 1f, new Generator(12));
        var dyData = dy.ToArray();
        var expected = new double[17];
        for (var i = 0; i < dyData.Length; i++)
        {
            expected[i / (119 * 127) % 17] += dyData[i];
        }

        var saved = Threads.Count;
        float[]? first = null;
        try
        {
            foreach (var threads in new[] { 1, 2, 3 })
            {
                Threads.Count = threads;
                var weight = Tensor.Uniform([17, 2, 1, 1], -1f, 1f, new Generator(13));
                var bias = Tensor.Zeros(17).SetRequiresGrad();
                Tensor.Conv2d(x, weight, bias).Backward(dy);
                var db = bias.Grad!.ToArray();
                AssertClose(expected, db, "db");
                Assert.Equal(first ?? db, db);
                first ??= db;
            }
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Fact]
    public void Conv1dIsConv2dOfHeightOne()
    {
        var x = Tensor.Randn([3, 4, 17], new Generator(8));
        var w = Tensor.Randn([6, 2, 3], new Generator(9));
        var b = Tensor.Randn([6], new Generator(10));
        var y = Tensor.Conv1d(x, w, b, stride: 2, padding: 2, dilation: 2, groups: 2);
        var expected = Tensor.Conv2d(x.Unsqueeze(2), w.Unsqueeze(2), b, (1, 2), (0, 2), (1, 2), 2).Squeeze(2);
        Assert.Equal([3, 6, 9], y.Shape);
        Assert.Equal(expected.ToArray(), y.ToArray());
        Assert.Equal([3, 6, 17], Tensor.Conv1d(x, w, b, padding: "same", groups: 2).Shape);
    }

    [Fact]
    public void BadShapesNameTheOpAndTheShapes()
    {
        var x = Tensor.Zeros([2, 3, 8, 8]);
        var e = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Tensor.Zeros([4, 2, 3, 3])));
        Assert.Contains("Conv2d: input [2,3,8,8], weight [4,2,3,3]", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Tensor.Zeros([4, 3, 9, 9])));
        Assert.Contains("smaller than the kernel", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Tensor.Zeros([4, 3, 3, 3]), stride: 2, padding: "same"));
        Assert.Contains("'same' needs stride 1", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Tensor.Zeros([4, 3, 3, 3]), Tensor.Zeros([3])));
        Assert.Contains("bias [3] must be [4]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Tensor.Conv2d(x, Tensor.Zeros([4, 3, 3, 3]), padding: "full"));
    }
}
