namespace Backprop.NN;

/// <summary>
/// In training mode, zeroes each element with probability p and scales the rest by 1/(1−p); in
/// evaluation mode, passes the input through unchanged.
/// </summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    private readonly Generator? _generator;

    /// <summary>Makes a dropout layer.</summary>
    /// <param name="p">The probability of zeroing an element, in [0, 1).</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    public Dropout(float p = 0.5f, Generator? generator = null)
    {
        if (!(p >= 0f && p < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout: p must be in [0, 1).");
        }

        P = p;
        _generator = generator;
    }

    /// <summary>The probability of zeroing an element.</summary>
    public float P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!Training || P == 0f)
        {
            return input;
        }

        var mask = Tensor.Rand(input.Shape, _generator ?? Generator.Default);
        var keep = mask.ToArray();
        var scale = 1f / (1f - P);
        for (var i = 0; i < keep.Length; i++)
        {
            keep[i] = keep[i] >= P ? scale : 0f;
        }

        return input * Tensor.FromArray(keep, input.Shape);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Dropout(p={P})";
}
