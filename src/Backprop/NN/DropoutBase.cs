namespace Backprop.NN;

/// <summary>
/// What the dropout layers share: in training mode, a random mask (of <see cref="MaskShape"/>, broadcast over
/// the input) zeroes with probability p and scales the rest by 1/(1−p); in evaluation mode the input passes.
/// </summary>
public abstract class DropoutBase : Module<Tensor, Tensor>
{
    private readonly Generator? _generator;

    /// <summary>Makes the layer.</summary>
    /// <param name="p">The probability of zeroing, in [0, 1).</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    protected DropoutBase(float p, Generator? generator)
    {
        if (!(p >= 0f && p < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, $"{GetType().Name}: p must be in [0, 1).");
        }

        P = p;
        _generator = generator;
    }

    /// <summary>The probability of zeroing.</summary>
    public float P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var maskShape = MaskShape(input);
        if (!Training || P == 0f)
        {
            return input;
        }

        var keep = Tensor.Rand(maskShape, _generator ?? Generator.Default).ToArray();
        var scale = 1f / (1f - P);
        for (var i = 0; i < keep.Length; i++)
        {
            keep[i] = keep[i] >= P ? scale : 0f;
        }

        return input * Tensor.FromArray(keep, maskShape);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{GetType().Name}(p={P})";

    /// <summary>The shape of the mask for <paramref name="input"/> (its own shape for elementwise dropout), or an error for an input the layer does not take.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The mask's shape.</returns>
    protected abstract int[] MaskShape(Tensor input);
}
