namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Batch normalization as tensor ops: the float64 path, and, recomputed, the fused float32 kernel's backward
    /// through tensor ops. With batch statistics the mean and biased variance are taken over every dimension but
    /// the channels'; otherwise <paramref name="mean"/> and <paramref name="variance"/> (one per channel) normalize.
    /// </summary>
    private static Tensor BatchNormComposed(Tensor x, Tensor? weight, Tensor? bias, double[]? mean, double[]? variance, double eps)
    {
        var dims = new int[x.Rank - 1];
        dims[0] = 0;
        for (var d = 2; d < x.Rank; d++)
        {
            dims[d - 1] = d;
        }

        var channel = ChannelShape(x);
        Tensor centered, v;
        if (mean is null)
        {
            centered = x - x.Mean(dims, keepDim: true);
            v = (centered * centered).Mean(dims, keepDim: true);
        }
        else
        {
            centered = x - FromArray(mean).To(x._dtype).Reshape(channel);
            v = FromArray(variance!).To(x._dtype).Reshape(channel);
        }

        return Affine(centered * (v + eps).Rsqrt(), weight?.Reshape(channel), bias?.Reshape(channel));
    }

    /// <summary>Group normalization as tensor ops (see <see cref="BatchNormComposed"/>): statistics per sample and group.</summary>
    private static Tensor GroupNormComposed(Tensor x, int groups, Tensor? weight, Tensor? bias, double eps)
    {
        var grouped = x.Reshape(x.Dims[0], groups, x.Numel / Math.Max(1, x.Dims[0] * groups));
        var centered = grouped - grouped.Mean(2, keepDim: true);
        var v = (centered * centered).Mean(2, keepDim: true);
        var channel = ChannelShape(x);
        return Affine((centered * (v + eps).Rsqrt()).Reshape(x.Dims), weight?.Reshape(channel), bias?.Reshape(channel));
    }

    /// <summary>Layer normalization as tensor ops (see <see cref="BatchNormComposed"/>): statistics over the trailing <paramref name="width"/> dimensions.</summary>
    private static Tensor LayerNormComposed(Tensor x, int width, Tensor? weight, Tensor? bias, double eps)
    {
        var dims = new int[width];
        for (var d = 0; d < width; d++)
        {
            dims[d] = x.Rank - width + d;
        }

        var centered = x - x.Mean(dims, keepDim: true);
        var v = (centered * centered).Mean(dims, keepDim: true);
        return Affine(centered * (v + eps).Rsqrt(), weight, bias);
    }

    /// <summary>The recorded inputs of a normalization, [input, weight?, bias?], back as the three arguments.</summary>
    private static (Tensor X, Tensor? Weight, Tensor? Bias) NormInputs(Tensor[] inputs, bool hasWeight, bool hasBias) =>
        (inputs[0], hasWeight ? inputs[1] : null, hasBias ? inputs[hasWeight ? 2 : 1] : null);

    /// <summary>A normalization's recorded inputs: the input, then the weight and the bias where given (as <see cref="NormInputs"/> reads them).</summary>
    private static Tensor[] NormOperands(Tensor input, Tensor? weight, Tensor? bias) => (weight, bias) switch
    {
        (null, null) => [input],
        (null, { } b) => [input, b],
        ({ } w, null) => [input, w],
        ({ } w, { } b) => [input, w, b],
    };

    /// <summary>[1, C, 1, …]: a per-channel vector's shape against <paramref name="x"/>.</summary>
    private static int[] ChannelShape(Tensor x)
    {
        var shape = new int[x.Rank];
        Array.Fill(shape, 1);
        shape[1] = x.Dims[1];
        return shape;
    }

    private static Tensor Affine(Tensor normalized, Tensor? weight, Tensor? bias)
    {
        var scaled = weight is null ? normalized : normalized * weight;
        return bias is null ? scaled : scaled + bias;
    }
}
