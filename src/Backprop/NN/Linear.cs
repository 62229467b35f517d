namespace Backprop.NN;

/// <summary>A fully connected layer, y = x·Wᵀ + b, with <see cref="Weight"/> [out, in] and <see cref="Bias"/> [out] as PyTorch stores them.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    /// <summary>Makes a layer with PyTorch's default initialisation: W and b uniform in ±1/√in.</summary>
    /// <param name="inFeatures">The input size.</param>
    /// <param name="outFeatures">The output size.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
        {
            throw new ArgumentException($"Linear: sizes must be positive, got in {inFeatures}, out {outFeatures}.", nameof(inFeatures));
        }

        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var bound = 1f / MathF.Sqrt(inFeatures);
        Weight = RegisterParameter("weight", new Parameter(Tensor.Uniform([outFeatures, inFeatures], -bound, bound, generator)));
        if (bias)
        {
            Bias = RegisterParameter("bias", new Parameter(Tensor.Uniform([outFeatures], -bound, bound, generator)));
        }
    }

    /// <summary>The input size.</summary>
    public int InFeatures { get; }

    /// <summary>The output size.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight, [out, in].</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Tensor.Linear(input, Weight, Bias);

    /// <inheritdoc/>
    public override string ToString() => $"Linear(in_features={InFeatures}, out_features={OutFeatures}, bias={Bias is not null})";
}
