using Backprop.NN;

namespace Backprop.Distributed;

/// <summary>
/// Some parameters whose gradients are all-reduced together, as one flat array: filled as backward finishes
/// each parameter's gradient, sent once all of them are in, and copied back (divided by the number of ranks).
/// A bucket of one parameter sends that parameter's gradient itself, without the two copies.
/// </summary>
internal sealed class GradientBucket
{
    private readonly Parameter[] _parameters;
    private readonly int[] _offsets;
    private readonly bool[] _arrived;
    private int _missing;

    public GradientBucket(int index, IReadOnlyList<Parameter> parameters)
    {
        Index = index;
        _parameters = [.. parameters];
        _offsets = new int[_parameters.Length];
        _arrived = new bool[_parameters.Length];
        var offset = 0;
        for (var i = 0; i < _parameters.Length; i++)
        {
            _offsets[i] = offset;
            offset += _parameters[i].Numel;
        }

        _values = _parameters.Length == 1 ? null : new float[offset];
        Reset();
    }

    /// <summary>The bucket's place in the order every rank sends them in.</summary>
    public int Index { get; }

    private readonly float[]? _values;

    /// <summary>The gradients, side by side (for a bucket of one parameter, its gradient's own storage).</summary>
    public Span<float> Values => _values ?? _parameters[0].GradData.AsSpan(0, _parameters[0].Numel);

    /// <summary>The parameters, in the order of <see cref="Values"/>.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Whether every parameter's gradient is in.</summary>
    public bool Full => _missing == 0;

    /// <summary>Empties the bucket for the next backward pass.</summary>
    public void Reset()
    {
        Array.Clear(_arrived);
        _missing = _parameters.Length;
    }

    /// <summary>Copies the <paramref name="slot"/>-th parameter's finished gradient in (zeros when backward gave it none).</summary>
    public void Add(int slot)
    {
        if (_arrived[slot])
        {
            return;
        }

        _arrived[slot] = true;
        _missing--;
        if (_values is null)
        {
            _parameters[slot].Grad ??= Tensor.Zeros(_parameters[slot].Shape);
            return;
        }

        var span = _values.AsSpan(_offsets[slot], _parameters[slot].Numel);
        if (_parameters[slot].GradData is { } grad)
        {
            grad.AsSpan(0, span.Length).CopyTo(span);
        }
        else
        {
            span.Clear();
        }
    }

    /// <summary>Adds every parameter that has not arrived (zeros for those backward gave no gradient).</summary>
    public void AddMissing()
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            Add(i);
        }
    }

    /// <summary>The names of the parameters whose gradient did not arrive, by the names <paramref name="names"/> gives.</summary>
    public IEnumerable<string> MissingNames(IReadOnlyDictionary<Parameter, string> names) =>
        _parameters.Where((_, i) => !_arrived[i]).Select(p => names[p]);

    /// <summary>Writes the summed gradients, times <paramref name="scale"/>, back into the parameters' gradients.</summary>
    public void CopyBack(float scale)
    {
        if (_values is null)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(Values, scale, Values);
            return;
        }

        for (var i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            var summed = _values.AsSpan(_offsets[i], p.Numel);
            if (p.GradData is null)
            {
                p.Grad = Tensor.Zeros(p.Shape);
            }

            System.Numerics.Tensors.TensorPrimitives.Multiply(summed, scale, p.GradData.AsSpan(0, summed.Length));
        }
    }
}
