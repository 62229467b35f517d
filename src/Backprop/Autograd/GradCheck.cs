using Backprop.Kernels;

namespace Backprop.Autograd;

/// <summary>
/// Compares the gradients autograd computes with central finite differences, for any function of tensors, in
/// float64 by default as PyTorch's gradcheck recommends. The function's output is reduced to a scalar with a fixed
/// random projection, so every output element's gradient is checked at once. <see cref="RunGradGrad"/> checks
/// second derivatives the same way (torch.autograd.gradgradcheck).
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Checks <paramref name="function"/> at <paramref name="inputs"/> (each must be a leaf that requires grad). For
    /// every input element, the autograd gradient must be within atol + rtol·|numeric| of the finite difference.
    /// </summary>
    /// <param name="function">The function of the inputs to check.</param>
    /// <param name="inputs">The points to check at. Inputs of another dtype than <paramref name="dtype"/> are copied to it; inputs of that dtype are perturbed and restored.</param>
    /// <param name="eps">The finite-difference step: 1e-6 in float64, 1e-3 in float32 by default.</param>
    /// <param name="atol">The absolute tolerance: 1e-5 in float64, 1e-3 in float32 by default.</param>
    /// <param name="rtol">The relative tolerance: 1e-3 in float64, 1e-2 in float32 by default.</param>
    /// <param name="seed">The seed of the random projection of the output.</param>
    /// <param name="dtype">
    /// The floating type to compute in. Float64 (the default) needs every op of the function to have a float64 path
    /// (docs/README.md lists them; the others refuse float64 tensors by name); check the others in Float32.
    /// </param>
    /// <returns>The comparison, with the worst element.</returns>
    public static GradCheckResult Run(Func<Tensor[], Tensor> function, Tensor[] inputs, double? eps = null, double? atol = null, double? rtol = null, ulong seed = 1234, DType dtype = DType.Float64)
    {
        ArgumentNullException.ThrowIfNull(function);
        var work = Prepare(inputs, dtype);
        var (step, absolute, relative) = Tolerances(dtype, eps, atol, rtol);
        foreach (var input in work)
        {
            input.ZeroGrad();
        }

        var output = function(work);
        var projection = Tensor.Uniform(output.Shape, -1f, 1f, new Generator(seed)).To(output.DType);

        // An output without a graph has zero gradients (a second derivative of a linear function); the finite
        // differences tell whether that is right.
        if (output.RequiresGrad)
        {
            output.Backward(projection);
        }

        var result = new GradCheckResult(dtype);
        for (var t = 0; t < work.Length; t++)
        {
            var input = work[t];
            var analytic = input.Grad is { } grad ? grad.To(DType.Float64).ToArray<double>() : new double[input.Numel];
            for (var i = 0; i < input.Numel; i++)
            {
                var original = Get(input, i);
                double plus, minus, stepTaken;
                using (Tensor.NoGrad())
                {
                    Set(input, i, original + step);
                    var high = Get(input, i);
                    plus = Project(function(work), projection);
                    Set(input, i, original - step);
                    stepTaken = high - Get(input, i);
                    minus = Project(function(work), projection);
                    Set(input, i, original);
                }

                result.Observe(t, i, analytic[i], (plus - minus) / stepTaken, absolute, relative);
            }
        }

        return result;
    }

    /// <summary>
    /// Checks the second derivatives of <paramref name="function"/> (torch.autograd.gradgradcheck): its gradient, taken
    /// with createGraph against a fixed random output gradient and projected on fixed random directions, is itself
    /// checked with <see cref="Run"/>. Every op of the function needs a backward through tensor ops.
    /// </summary>
    /// <param name="function">The function of the inputs to check.</param>
    /// <param name="inputs">The points to check at (leaves that require grad; copied to <paramref name="dtype"/> when of another type).</param>
    /// <param name="eps">The finite-difference step (as for <see cref="Run"/>).</param>
    /// <param name="atol">The absolute tolerance (as for <see cref="Run"/>).</param>
    /// <param name="rtol">The relative tolerance (as for <see cref="Run"/>).</param>
    /// <param name="seed">The seed of the random output gradient and directions.</param>
    /// <param name="dtype">The floating type to compute in, Float64 by default.</param>
    /// <returns>The comparison of the second derivatives, with the worst element.</returns>
    public static GradCheckResult RunGradGrad(Func<Tensor[], Tensor> function, Tensor[] inputs, double? eps = null, double? atol = null, double? rtol = null, ulong seed = 1234, DType dtype = DType.Float64)
    {
        ArgumentNullException.ThrowIfNull(function);
        var work = Prepare(inputs, dtype);
        var generator = new Generator(seed + 1);
        Tensor output;
        using (Tensor.NoGrad())
        {
            output = function(work);
        }

        var gradOutput = Tensor.Uniform(output.Shape, -1f, 1f, generator).To(dtype);
        var directions = work.Select(x => Tensor.Uniform(x.Shape, -1f, 1f, generator).To(dtype)).ToArray();
        return Run(x =>
        {
            using (Tensor.EnableGrad())
            {
                var grads = Autograd.Grad([function(x)], x, [gradOutput], createGraph: true, allowUnused: true);
                Tensor? sum = null;
                for (var i = 0; i < grads.Length; i++)
                {
                    if (grads[i] is { } g)
                    {
                        var projected = (g * directions[i]).Sum();
                        sum = sum is null ? projected : sum + projected;
                    }
                }

                return sum ?? throw new InvalidOperationException("GradGradCheck: the function's output depends on none of the inputs.");
            }
        }, work, eps, atol, rtol, seed, dtype);
    }

    private static Tensor[] Prepare(Tensor[] inputs, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (!dtype.IsFloatingPoint())
        {
            throw new ArgumentException($"GradCheck: {dtype.Name()} is not a floating type; gradients are checked in float32 or float64.", nameof(dtype));
        }

        foreach (var input in inputs)
        {
            if (!input.RequiresGrad || !input.IsLeaf)
            {
                throw new ArgumentException($"GradCheck: every input must be a leaf that requires grad; the input of shape {Shapes.Format(input.Dims)} is not.", nameof(inputs));
            }
        }

        return [.. inputs.Select(t => t.DType == dtype ? t : t.Detach().To(dtype).SetRequiresGrad())];
    }

    private static (double Eps, double Atol, double Rtol) Tolerances(DType dtype, double? eps, double? atol, double? rtol) => dtype == DType.Float64
        ? (eps ?? 1e-6, atol ?? 1e-5, rtol ?? 1e-3)
        : (eps ?? 1e-3, atol ?? 1e-3, rtol ?? 1e-2);

    private static double Get(Tensor t, int i) => t.DType == DType.Float64 ? t.Storage<double>()[i] : t.Data[i];

    private static void Set(Tensor t, int i, double value)
    {
        if (t.DType == DType.Float64)
        {
            t.Storage<double>()[i] = value;
        }
        else
        {
            t.Data[i] = (float)value;
        }
    }

    private static double Project(Tensor output, Tensor projection)
    {
        double sum = 0;
        for (var i = 0; i < output.Numel; i++)
        {
            sum += Get(output, i) * Get(projection, i);
        }

        return sum;
    }
}
