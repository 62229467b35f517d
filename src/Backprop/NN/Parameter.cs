namespace Backprop.NN;

/// <summary>A tensor that a <see cref="Module"/> learns: a leaf that requires grad, found by <see cref="Module.Parameters"/>.</summary>
public sealed class Parameter : Tensor
{
    /// <summary>Makes a parameter holding (sharing) the values of <paramref name="data"/>.</summary>
    /// <param name="data">The initial values.</param>
    public Parameter(Tensor data)
        : base(data ?? throw new ArgumentNullException(nameof(data)), data.Dims) => RequiresGrad = true;
}
