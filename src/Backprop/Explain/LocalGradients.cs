namespace Backprop.Explain;

/// <summary>
/// The chain rule at one node: given the gradient arriving at an op's output, what each input receives
/// from that op alone. With an upstream gradient of ones this is the op's local derivative ∂z/∂x.
/// </summary>
public static class LocalGradients
{
    /// <summary>
    /// Runs the backward closure of the op that produced <paramref name="output"/> once, with
    /// <paramref name="upstream"/> as dL/dOutput, and returns what each input received (null for inputs
    /// that need no gradient). Nothing is accumulated: every input's <see cref="Tensor.Grad"/> is restored.
    /// </summary>
    /// <param name="output">A tensor produced by a recorded op whose graph has not been freed.</param>
    /// <param name="upstream">dL/dOutput, shaped like <paramref name="output"/>; null means ones.</param>
    /// <returns>One entry per input of the op: the gradient it receives through this op.</returns>
    public static IReadOnlyList<Tensor?> Through(Tensor output, Tensor? upstream = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var node = output.GradFn ?? throw new ArgumentException($"LocalGradients: the tensor of shape [{string.Join(',', output.Shape)}] is a leaf; no op produced it.", nameof(output));
        var grad = upstream ?? Tensor.Ones(output.Shape);
        if (!grad.Dims.AsSpan().SequenceEqual(output.Dims))
        {
            throw new ArgumentException($"LocalGradients: the upstream gradient [{string.Join(',', grad.Shape)}] does not match the output [{string.Join(',', output.Shape)}].", nameof(upstream));
        }

        var inputs = node.Inputs.ToArray();
        var saved = inputs.Select(i => i.Grad).ToArray();
        foreach (var input in inputs)
        {
            input.Grad = null;
        }

        try
        {
            node.Run(output, grad.Data);
            var result = new Tensor?[inputs.Length];
            for (var i = 0; i < inputs.Length; i++)
            {
                // An input used twice by the same op (x * x) receives both contributions.
                result[i] = Array.IndexOf(inputs, inputs[i]) < i ? result[Array.IndexOf(inputs, inputs[i])] : inputs[i].Grad;
            }

            return result;
        }
        finally
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                inputs[i].Grad = saved[i];
            }
        }
    }
}
