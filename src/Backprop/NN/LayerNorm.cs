namespace Backprop.NN;

/// <summary>
/// Layer normalization over the last dimensions, as torch.nn.LayerNorm: <see cref="Weight"/> (ones) and
/// <see cref="Bias"/> (zeros) of the normalized shape, applied elementwise.
/// </summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    /// <summary>Makes the layer.</summary>
    /// <param name="normalizedShape">The trailing dimensions normalized together (often just the width).</param>
    /// <param name="eps">Added to the variance before the square root.</param>
    /// <param name="elementwiseAffine">Whether the weight (and bias) are learned.</param>
    /// <param name="bias">Whether there is a bias (with <paramref name="elementwiseAffine"/>).</param>
    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d <= 0) || !(eps > 0))
        {
            throw new ArgumentException($"LayerNorm: the normalized shape {Kernels.Shapes.Format(normalizedShape)} must be non-empty with positive sizes, and eps ({eps}) positive.", nameof(normalizedShape));
        }

        NormalizedShape = (int[])normalizedShape.Clone();
        Eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", new Parameter(Tensor.Ones([.. NormalizedShape])));
            if (bias)
            {
                Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros([.. NormalizedShape])));
            }
        }
    }

    /// <summary>Makes the layer for a last dimension of <paramref name="normalizedSize"/>.</summary>
    /// <param name="normalizedSize">The size of the last dimension.</param>
    /// <param name="eps">Added to the variance before the square root.</param>
    /// <param name="elementwiseAffine">Whether the weight (and bias) are learned.</param>
    /// <param name="bias">Whether there is a bias.</param>
    public LayerNorm(int normalizedSize, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true)
        : this([normalizedSize], eps, elementwiseAffine, bias)
    {
    }

    /// <summary>The trailing dimensions normalized together.</summary>
    public IReadOnlyList<int> NormalizedShape { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; }

    /// <summary>The scale, or null.</summary>
    public Parameter? Weight { get; }

    /// <summary>The shift, or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Tensor.LayerNorm(input, [.. NormalizedShape], Weight, Bias, Eps);

    /// <inheritdoc/>
    public override string ToString() =>
        $"LayerNorm(({string.Join(", ", NormalizedShape)},), eps={PyText.Of(Eps)}, elementwise_affine={PyText.Of(Weight is not null)})";
}
