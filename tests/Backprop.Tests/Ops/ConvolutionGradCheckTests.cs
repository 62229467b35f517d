using static Backprop.Tests.Ops.OpCheck;

namespace Backprop.Tests.Ops;

/// <summary>The convolution, pooling and normalization ops against central finite differences.</summary>
public class ConvolutionGradCheckTests
{
    [Fact]
    public void Conv2dWithStridePaddingDilationAndGroups()
    {
        AssertGradCheck(x => Tensor.Conv2d(x[0], x[1], x[2]), Input(1, 2, 3, 5, 6), Input(2, 4, 3, 3, 2), Input(3, 4));
        AssertGradCheck(x => Tensor.Conv2d(x[0], x[1], x[2], stride: (2, 1), padding: (1, 2), dilation: (1, 2), groups: 2), Input(4, 2, 4, 6, 5), Input(5, 6, 2, 2, 3), Input(6, 6));
        AssertGradCheck(x => Tensor.Conv2d(x[0], x[1], padding: "same", groups: 3), Input(7, 1, 3, 4, 4), Input(8, 3, 1, 2, 3));
    }

    [Fact]
    public void Conv1dAndConvTranspose2d()
    {
        AssertGradCheck(x => Tensor.Conv1d(x[0], x[1], x[2], stride: 2, padding: 1), Input(9, 2, 3, 9), Input(10, 4, 3, 3), Input(11, 4));
        AssertGradCheck(x => Tensor.ConvTranspose2d(x[0], x[1], x[2], stride: 2, padding: 1, outputPadding: 1), Input(12, 2, 4, 3, 3), Input(13, 4, 2, 3, 3), Input(14, 2));
        AssertGradCheck(x => Tensor.ConvTranspose2d(x[0], x[1], groups: 2, dilation: 2), Input(15, 1, 4, 3, 2), Input(16, 4, 1, 2, 2));
    }

    [Fact]
    public void Pooling()
    {
        // Max pooling is checked where the maxima are well separated (a permutation of spaced values), so no step crosses a tie.
        var spaced = Tensor.FromArray(Enumerable.Range(0, 2 * 3 * 7 * 6).Select(i => (float)((i * 37) % 252) * 0.05f).ToArray(), [2, 3, 7, 6]).SetRequiresGrad();
        AssertGradCheck(x => Tensor.MaxPool2d(x[0], 3, 2, 1), spaced);
        AssertGradCheck(x => Tensor.AdaptiveMaxPool2d(x[0], (3, 2)), spaced);
        AssertGradCheck(x => Tensor.AvgPool2d(x[0], (3, 2), (2, 1), (1, 1), ceilMode: true, countIncludePad: false), Input(17, 2, 2, 5, 6));
        AssertGradCheck(x => Tensor.AdaptiveAvgPool2d(x[0], (3, 4)), Input(18, 1, 2, 7, 5));
    }

    [Fact]
    public void Normalization()
    {
        AssertGradCheck(x => Tensor.BatchNorm(x[0], null, null, x[1], x[2], training: true), Input(19, 3, 2, 2, 3), Input(20, 2), Input(21, 2));
        AssertGradCheck(x => Tensor.BatchNorm(x[0], Tensor.Zeros(4), Tensor.Ones(4) * 2f, x[1], null, training: false), Input(22, 3, 4), Input(23, 4));
        AssertGradCheck(x => Tensor.LayerNorm(x[0], [2, 3], x[1], x[2]), Input(24, 4, 2, 3), Input(25, 2, 3), Input(26, 2, 3));
        AssertGradCheck(x => Tensor.GroupNorm(x[0], 2, x[1], x[2]), Input(27, 2, 4, 3), Input(28, 4), Input(29, 4));
    }

    [Fact]
    public void DropoutWithAFixedMask()
    {
        // A fresh generator per call draws the same mask, so the function is deterministic.
        AssertGradCheck(x => Tensor.Dropout(x[0], 0.3f, generator: new Generator(3)), Input(30, 4, 5));
        AssertGradCheck(x => Tensor.Dropout2d(x[0], 0.5f, generator: new Generator(4)), Input(31, 2, 3, 2, 2));
        var g = new Generator(9);
        var expected = Enumerable.Range(0, 100).Select(_ => g.NextFloat()).ToArray();
        var bulk = new float[100];
        new Generator(9).NextFloats(bulk);
        Assert.Equal(expected, bulk);
    }

    [Fact]
    public void UnfoldFoldAndUpsample()
    {
        AssertGradCheck(x => Tensor.Unfold(x[0], 2, padding: 1, stride: 2), Input(32, 2, 2, 4, 5));
        AssertGradCheck(x => Tensor.Fold(x[0], (3, 4), (2, 2)), Input(33, 2, 8, 6));
        AssertGradCheck(x => Tensor.Upsample(x[0], (5, 6), mode: UpsampleMode.Bilinear), Input(34, 1, 2, 3, 4));
        AssertGradCheck(x => Tensor.Upsample(x[0], scaleFactor: 2), Input(35, 2, 2, 3));

        // A convolution is the weight times the unfolded input.
        var input = Tensor.Randn([2, 3, 6, 5], new Generator(36));
        var weight = Tensor.Randn([4, 3, 3, 3], new Generator(37));
        var direct = Tensor.Conv2d(input, weight, stride: 2, padding: 1).ToArray();
        var viaUnfold = weight.Reshape(4, 27).MatMul(Tensor.Unfold(input, 3, padding: 1, stride: 2)).ToArray();
        Assert.All(direct.Zip(viaUnfold), p => Assert.True(Math.Abs(p.First - p.Second) < 1e-4, $"{p.First} vs {p.Second}"));
    }
}
