namespace Backprop.Tests.Kernels;

/// <summary>Max, average and adaptive pooling, forward and backward, against plain loops on awkward sizes.</summary>
[Collection("Threading")]
public class PoolingKernelTests
{
    /// <summary>N, C, H, W, kH, kW, stride h, w, padding h, w, dilation h, w, ceil mode (0/1).</summary>
    public static TheoryData<int[]> Cases() => new()
    {
        new[] { 2, 3, 8, 8, 2, 2, 2, 2, 0, 0, 1, 1, 0 },
        new[] { 1, 2, 7, 9, 3, 3, 2, 2, 1, 1, 1, 1, 0 },
        new[] { 3, 1, 7, 9, 3, 2, 2, 3, 1, 1, 1, 1, 1 },
        new[] { 2, 2, 11, 10, 3, 3, 1, 2, 1, 0, 2, 2, 0 },
        new[] { 1, 5, 5, 5, 5, 5, 1, 1, 2, 2, 1, 1, 0 },
        new[] { 64, 4, 24, 24, 2, 2, 2, 2, 0, 0, 1, 1, 0 },
    };

    private static int OutSize(int input, int k, int s, int p, int d, bool ceil)
    {
        var room = input + (2 * p) - (d * (k - 1)) - 1;
        var o = (int)(ceil ? Math.Ceiling((double)room / s) : Math.Floor((double)room / s)) + 1;
        return ceil && (o - 1) * s >= input + p ? o - 1 : o;
    }

    private static void Near(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-5 + (1e-5 * Math.Abs(expected)), $"expected {expected}, got {actual}");

    [Theory]
    [MemberData(nameof(Cases))]
    public void MaxPoolMatchesTheLoop(int[] c)
    {
        int n = c[0], ch = c[1], h = c[2], w = c[3], kh = c[4], kw = c[5], sh = c[6], sw = c[7], ph = c[8], pw = c[9], dh = c[10], dw = c[11];
        var ceil = c[12] == 1;
        var x = KernelData.Uniform(n * ch * h * w, 1);
        var input = Tensor.FromArray(x, [n, ch, h, w]).SetRequiresGrad();
        var (y, indices) = Tensor.MaxPool2dWithIndices(input, (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil);
        int oh = OutSize(h, kh, sh, ph, dh, ceil), ow = OutSize(w, kw, sw, pw, dw, ceil);
        Assert.Equal([n, ch, oh, ow], y.Shape);
        Assert.Equal(DType.Int64, indices.DType);
        var dy = KernelData.Uniform(y.Numel, 2);
        var expectedDx = new double[x.Length];
        var values = y.ToArray();
        var where = indices.ToArray<long>();
        for (var p = 0; p < n * ch; p++)
        {
            for (var oy = 0; oy < oh; oy++)
            {
                for (var ox = 0; ox < ow; ox++)
                {
                    var best = float.NegativeInfinity;
                    var at = -1;
                    for (var i = 0; i < kh; i++)
                    {
                        for (var j = 0; j < kw; j++)
                        {
                            int iy = (oy * sh) - ph + (i * dh), ix = (ox * sw) - pw + (j * dw);
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w && x[(p * h * w) + (iy * w) + ix] > best)
                            {
                                best = x[(p * h * w) + (iy * w) + ix];
                                at = (iy * w) + ix;
                            }
                        }
                    }

                    var o = (((p * oh) + oy) * ow) + ox;
                    Assert.Equal(best, values[o]);
                    Assert.Equal(at, where[o]);
                    expectedDx[(p * h * w) + at] += dy[o];
                }
            }
        }

        y.Backward(Tensor.FromArray(dy, y.Shape));
        var dx = input.Grad!.ToArray();
        for (var i = 0; i < dx.Length; i++)
        {
            Near(expectedDx[i], dx[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AvgPoolMatchesTheLoop(int[] c)
    {
        int n = c[0], ch = c[1], h = c[2], w = c[3], kh = c[4], kw = c[5], sh = c[6], sw = c[7], ph = c[8], pw = c[9];
        var ceil = c[12] == 1;
        foreach (var includePad in new[] { true, false })
        {
            var x = KernelData.Uniform(n * ch * h * w, 3);
            var input = Tensor.FromArray(x, [n, ch, h, w]).SetRequiresGrad();
            var y = Tensor.AvgPool2d(input, (kh, kw), (sh, sw), (ph, pw), ceil, includePad);
            int oh = OutSize(h, kh, sh, ph, 1, ceil), ow = OutSize(w, kw, sw, pw, 1, ceil);
            Assert.Equal([n, ch, oh, ow], y.Shape);
            var dy = KernelData.Uniform(y.Numel, 4);
            var expectedDx = new double[x.Length];
            var values = y.ToArray();
            for (var p = 0; p < n * ch; p++)
            {
                for (var oy = 0; oy < oh; oy++)
                {
                    for (var ox = 0; ox < ow; ox++)
                    {
                        int y0 = (oy * sh) - ph, x0 = (ox * sw) - pw;
                        int y1 = Math.Min(y0 + kh, h + ph), x1 = Math.Min(x0 + kw, w + pw);
                        var padded = (y1 - y0) * (x1 - x0);
                        (y0, x0, y1, x1) = (Math.Max(y0, 0), Math.Max(x0, 0), Math.Min(y1, h), Math.Min(x1, w));
                        var divisor = includePad ? padded : (y1 - y0) * (x1 - x0);
                        var o = (((p * oh) + oy) * ow) + ox;
                        double sum = 0;
                        for (var iy = y0; iy < y1; iy++)
                        {
                            for (var ix = x0; ix < x1; ix++)
                            {
                                sum += x[(p * h * w) + (iy * w) + ix];
                                expectedDx[(p * h * w) + (iy * w) + ix] += dy[o] / divisor;
                            }
                        }

                        Near(sum / divisor, values[o]);
                    }
                }
            }

            y.Backward(Tensor.FromArray(dy, y.Shape));
            var dx = input.Grad!.ToArray();
            for (var i = 0; i < dx.Length; i++)
            {
                Near(expectedDx[i], dx[i]);
            }
        }
    }

    [Theory]
    [InlineData(7, 9, 3, 4)]
    [InlineData(5, 5, 1, 1)]
    [InlineData(4, 6, 7, 6)]
    public void AdaptivePoolingCoversPyTorchsWindows(int h, int w, int oh, int ow)
    {
        var x = KernelData.Uniform(2 * h * w, 5);
        var input = Tensor.FromArray(x, [2, h, w]);
        var avg = Tensor.AdaptiveAvgPool2d(input, (oh, ow)).ToArray();
        var max = Tensor.AdaptiveMaxPool2d(input, (oh, ow)).ToArray();
        for (var p = 0; p < 2; p++)
        {
            for (var oy = 0; oy < oh; oy++)
            {
                for (var ox = 0; ox < ow; ox++)
                {
                    int y0 = oy * h / oh, y1 = (int)Math.Ceiling((oy + 1) * h / (double)oh);
                    int x0 = ox * w / ow, x1 = (int)Math.Ceiling((ox + 1) * w / (double)ow);
                    var window = Enumerable.Range(y0, y1 - y0).SelectMany(iy => Enumerable.Range(x0, x1 - x0).Select(ix => x[(p * h * w) + (iy * w) + ix])).ToArray();
                    var o = (((p * oh) + oy) * ow) + ox;
                    Near(window.Average(v => (double)v), avg[o]);
                    Assert.Equal(window.Max(), max[o]);
                }
            }
        }
    }

    [Theory]
    [InlineData(2, 3, 6, 26)]
    [InlineData(1, 2, 4, 9)]
    [InlineData(1, 1, 8, 34)]
    public void TwoByTwoMaxPoolBreaksTiesAndLetsNaNWinAsTheWalkDoes(int n, int ch, int h, int w)
    {
        // Three levels, so that windows tie (as after a ReLU), and a NaN in some windows: the vector paths (8 and 4
        // windows) and the tail must pick the first maximum in raster order, or the first NaN.
        var g = new Generator(7);
        var x = Tensor.Randint(0, 3, [n * ch * h * w], g).ToArray<long>().Select(v => v * 0.5f).ToArray();
        for (var i = 5; i < x.Length; i += 37)
        {
            x[i] = float.NaN;
        }

        var (y, indices) = Tensor.MaxPool2dWithIndices(Tensor.FromArray(x, [n, ch, h, w]), 2);
        int oh = h / 2, ow = w / 2;
        var values = y.ToArray();
        var where = indices.ToArray<long>();
        for (var p = 0; p < n * ch; p++)
        {
            for (var o = 0; o < oh * ow; o++)
            {
                int oy = o / ow, ox = o % ow, at = -1;
                var best = float.NegativeInfinity;
                foreach (var (r, c) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
                {
                    var flat = (((2 * oy) + r) * w) + (2 * ox) + c;
                    var v = x[(p * h * w) + flat];
                    if (at < 0 || v > best || (float.IsNaN(v) && !float.IsNaN(best)))
                    {
                        (best, at) = (v, flat);
                    }
                }

                Assert.Equal(at, where[(p * oh * ow) + o]);
                Assert.Equal(best, values[(p * oh * ow) + o]);
            }
        }
    }

    [Fact]
    public void MaxPoolLetsNaNWinAndBadWindowsAreRefused()
    {
        var x = Tensor.FromArray([1f, float.NaN, 3f, 4f], [1, 1, 2, 2]);
        Assert.True(float.IsNaN(Tensor.MaxPool2d(x, 2).Item()));
        var e = Assert.Throws<ArgumentException>(() => Tensor.MaxPool2d(Tensor.Zeros([1, 1, 4, 4]), 2, padding: 2));
        Assert.Contains("MaxPool2d: kernel 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("input [1,1,4,4]", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => Tensor.AvgPool2d(Tensor.Zeros([4, 4]), 2));
        Assert.Contains("must be [N, C, H, W] or [C, H, W]", e.Message, StringComparison.Ordinal);
    }
}
