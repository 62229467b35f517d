namespace Backprop.NN;

/// <summary>
/// In training mode, zeroes each element with probability p and scales the rest by 1/(1−p); in
/// evaluation mode, passes the input through unchanged.
/// </summary>
/// <param name="p">The probability of zeroing an element, in [0, 1).</param>
/// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
public sealed class Dropout(float p = 0.5f, Generator? generator = null) : DropoutBase(p, generator)
{
    /// <inheritdoc/>
    protected override Tensor Apply(Tensor input, float p, bool training, Generator? generator) => Tensor.Dropout(input, p, training, generator);
}
