using Backprop.Kernels;

namespace Backprop.Autograd;

/// <summary>
/// Compares the gradients autograd computes with central finite differences, for any function of
/// tensors. The function's output is reduced to a scalar with a fixed random projection, so every
/// output element's gradient is checked at once.
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Checks <paramref name="function"/> at <paramref name="inputs"/> (each must require grad). For every
    /// input element, the autograd gradient must be within atol + rtol·|numeric| of the finite difference.
    /// </summary>
    /// <param name="function">The function of the inputs to check.</param>
    /// <param name="inputs">The points to check at; their values are perturbed and restored.</param>
    /// <param name="eps">The finite-difference step.</param>
    /// <param name="atol">The absolute tolerance.</param>
    /// <param name="rtol">The relative tolerance.</param>
    /// <param name="seed">The seed of the random projection of the output.</param>
    /// <returns>The comparison, with the worst element.</returns>
    public static GradCheckResult Run(Func<Tensor[], Tensor> function, Tensor[] inputs, float eps = 1e-3f, double atol = 1e-3, double rtol = 1e-2, ulong seed = 1234)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var input in inputs)
        {
            if (!input.RequiresGrad || !input.IsLeaf)
            {
                throw new ArgumentException($"GradCheck: every input must be a leaf that requires grad; the input of shape {Shapes.Format(input.Dims)} is not.", nameof(inputs));
            }
        }

        foreach (var input in inputs)
        {
            input.ZeroGrad();
        }

        var output = function(inputs);
        var generator = new Generator(seed);
        var projection = Tensor.Uniform(output.Shape, -1f, 1f, generator);
        output.Backward(projection);
        var result = new GradCheckResult();
        for (var t = 0; t < inputs.Length; t++)
        {
            var input = inputs[t];
            var analytic = input.Grad?.ToArray() ?? new float[input.Numel];
            for (var i = 0; i < input.Numel; i++)
            {
                var original = input.Data[i];
                double plus, minus;
                using (Tensor.NoGrad())
                {
                    input.Data[i] = original + eps;
                    plus = Project(function(inputs), projection);
                    input.Data[i] = original - eps;
                    minus = Project(function(inputs), projection);
                    input.Data[i] = original;
                }

                var numeric = (plus - minus) / (2.0 * eps);
                result.Observe(t, i, analytic[i], numeric, atol, rtol);
            }
        }

        return result;
    }

    private static double Project(Tensor output, Tensor projection)
    {
        double sum = 0;
        for (var i = 0; i < output.Numel; i++)
        {
            sum += (double)output.Data[i] * projection.Data[i];
        }

        return sum;
    }
}
