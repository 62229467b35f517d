namespace Backprop.NN;

/// <summary>Group normalization of [N, C, *], as torch.nn.GroupNorm: per-channel <see cref="Weight"/> (ones) and <see cref="Bias"/> (zeros).</summary>
public sealed class GroupNorm : Module<Tensor, Tensor>
{
    /// <summary>Makes the layer.</summary>
    /// <param name="numGroups">Groups the channels are split into; it divides <paramref name="numChannels"/>.</param>
    /// <param name="numChannels">Channels.</param>
    /// <param name="eps">Added to the variance before the square root.</param>
    /// <param name="affine">Whether the weight and bias are learned.</param>
    public GroupNorm(int numGroups, int numChannels, double eps = 1e-5, bool affine = true)
    {
        if (numGroups <= 0 || numChannels <= 0 || numChannels % numGroups != 0 || !(eps > 0))
        {
            throw new ArgumentException($"GroupNorm: {numChannels} channels must split into {numGroups} equal groups, and eps ({eps}) be positive.", nameof(numGroups));
        }

        (NumGroups, NumChannels, Eps) = (numGroups, numChannels, eps);
        if (affine)
        {
            Weight = RegisterParameter("weight", new Parameter(Tensor.Ones(numChannels)));
            Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros(numChannels)));
        }
    }

    /// <summary>Groups.</summary>
    public int NumGroups { get; }

    /// <summary>Channels.</summary>
    public int NumChannels { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; }

    /// <summary>The per-channel scale, or null.</summary>
    public Parameter? Weight { get; }

    /// <summary>The per-channel shift, or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Tensor.GroupNorm(input, NumGroups, Weight, Bias, Eps);

    /// <inheritdoc/>
    public override string ToString() => $"GroupNorm({NumGroups}, {NumChannels}, eps={PyText.Of(Eps)}, affine={PyText.Of(Weight is not null)})";
}
