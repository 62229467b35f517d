namespace Backprop.NN;

/// <summary>
/// What the convolution layers share, as PyTorch's _ConvNd: channels, groups, the <see cref="Weight"/> and
/// <see cref="Bias"/>, and PyTorch's default initialisation (uniform in ±1/√fan_in, with fan_in the weight's
/// second dimension times its kernel taps).
/// </summary>
public abstract class ConvBase : Module<Tensor, Tensor>
{
    /// <summary>Checks the sizes and makes the parameters.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="groups">Channel groups; both channel counts divide by it.</param>
    /// <param name="weightShape">The weight's shape: [out, in/groups, k…], or [in, out/groups, k…] for a transposed convolution.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    protected ConvBase(int inChannels, int outChannels, int groups, int[] weightShape, bool bias, Generator? generator)
    {
        ArgumentNullException.ThrowIfNull(weightShape);
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0 || weightShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"{GetType().Name}: channels ({inChannels} in, {outChannels} out) and kernel [{string.Join(", ", weightShape[2..])}] must be positive, and both channel counts divisible by groups ({groups}).", nameof(inChannels));
        }

        (InChannels, OutChannels, Groups) = (inChannels, outChannels, groups);
        var fanIn = weightShape[1..].Aggregate(1, (p, d) => p * d);
        var bound = 1f / MathF.Sqrt(fanIn);
        Weight = RegisterParameter("weight", new Parameter(Tensor.Uniform(weightShape, -bound, bound, generator)));
        if (bias)
        {
            Bias = RegisterParameter("bias", new Parameter(Tensor.Uniform([outChannels], -bound, bound, generator)));
        }
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>The filters.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, [out], or null.</summary>
    public Parameter? Bias { get; }
}
