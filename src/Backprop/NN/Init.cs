namespace Backprop.NN;

/// <summary>Weight initialisation, in place, like torch.nn.init. Fan-in and fan-out follow PyTorch ([out, in] for a weight).</summary>
public static class Init
{
    /// <summary>He (Kaiming) normal: N(0, gain²/fan_in) with gain √2 for ReLU.</summary>
    /// <param name="tensor">The weight to fill.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <param name="gain">The gain (√2 for ReLU).</param>
    /// <returns>The tensor.</returns>
    public static Tensor KaimingNormal(Tensor tensor, Generator? generator = null, float gain = 1.41421356f) =>
        Normal(tensor, 0f, gain / MathF.Sqrt(Fans(tensor).FanIn), generator);

    /// <summary>He (Kaiming) uniform: U(−b, b) with b = gain·√(3/fan_in).</summary>
    /// <param name="tensor">The weight to fill.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <param name="gain">The gain (√2 for ReLU).</param>
    /// <returns>The tensor.</returns>
    public static Tensor KaimingUniform(Tensor tensor, Generator? generator = null, float gain = 1.41421356f)
    {
        var bound = gain * MathF.Sqrt(3f / Fans(tensor).FanIn);
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>Glorot (Xavier) normal: N(0, gain²·2/(fan_in + fan_out)).</summary>
    /// <param name="tensor">The weight to fill.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <param name="gain">The gain.</param>
    /// <returns>The tensor.</returns>
    public static Tensor XavierNormal(Tensor tensor, Generator? generator = null, float gain = 1f)
    {
        var (fanIn, fanOut) = Fans(tensor);
        return Normal(tensor, 0f, gain * MathF.Sqrt(2f / (fanIn + fanOut)), generator);
    }

    /// <summary>Glorot (Xavier) uniform: U(−b, b) with b = gain·√(6/(fan_in + fan_out)).</summary>
    /// <param name="tensor">The weight to fill.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <param name="gain">The gain.</param>
    /// <returns>The tensor.</returns>
    public static Tensor XavierUniform(Tensor tensor, Generator? generator = null, float gain = 1f)
    {
        var (fanIn, fanOut) = Fans(tensor);
        var bound = gain * MathF.Sqrt(6f / (fanIn + fanOut));
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>Fills with samples of N(mean, std²).</summary>
    /// <param name="tensor">The tensor to fill.</param>
    /// <param name="mean">The mean.</param>
    /// <param name="std">The standard deviation.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Normal(Tensor tensor, float mean, float std, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var sample = Tensor.Randn(tensor.Shape, generator) * std + mean;
        return Fill(tensor, sample);
    }

    /// <summary>Fills with samples of U(low, high).</summary>
    /// <param name="tensor">The tensor to fill.</param>
    /// <param name="low">The lower bound.</param>
    /// <param name="high">The upper bound.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Uniform(Tensor tensor, float low, float high, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return Fill(tensor, Tensor.Uniform(tensor.Shape, low, high, generator));
    }

    /// <summary>Fills with one value (the seed network's biases are Constant(b, 0.1)).</summary>
    /// <param name="tensor">The tensor to fill.</param>
    /// <param name="value">The value.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Constant(Tensor tensor, float value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using (Tensor.NoGrad())
        {
            return tensor.Fill(value);
        }
    }

    /// <summary>Fills with zeros.</summary>
    /// <param name="tensor">The tensor to fill.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0f);

    private static Tensor Fill(Tensor tensor, Tensor values)
    {
        using (Tensor.NoGrad())
        {
            return tensor.CopyFrom(values);
        }
    }

    private static (int FanIn, int FanOut) Fans(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Rank < 2)
        {
            throw new ArgumentException($"Init: fan-in and fan-out need a tensor of rank 2 or more; this one has shape [{string.Join(',', tensor.Shape)}].", nameof(tensor));
        }

        var receptive = tensor.Numel / (tensor.Size(0) * tensor.Size(1));
        return (tensor.Size(1) * receptive, tensor.Size(0) * receptive);
    }
}
