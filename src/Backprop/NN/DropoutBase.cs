namespace Backprop.NN;

/// <summary>
/// What the dropout layers share: in training mode, a random mask zeroes with probability p and scales the
/// rest by 1/(1−p); in evaluation mode the input passes.
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
    public override Tensor Forward(Tensor input) => Apply(input, P, Training, _generator);

    /// <inheritdoc/>
    public override string ToString() => $"{GetType().Name}(p={P})";

    /// <summary>The functional form: <see cref="Tensor.Dropout"/> or <see cref="Tensor.Dropout2d"/>.</summary>
    /// <param name="input">The input.</param>
    /// <param name="p">The probability of zeroing.</param>
    /// <param name="training">Whether to drop.</param>
    /// <param name="generator">The random source, or null.</param>
    /// <returns>The output.</returns>
    protected abstract Tensor Apply(Tensor input, float p, bool training, Generator? generator);
}
