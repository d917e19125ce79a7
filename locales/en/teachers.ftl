# The teachers of a class.
teachers-title = 👩‍🏫 <b>Teachers of class { $klass }</b>
teachers-class-teacher = Class teacher: <b>{ $name }</b>
teachers-no-class-teacher = No class teacher assigned.
teachers-line = { $subject } — { $name }
teachers-line-subgroup = { $subject } ({ $group }) — { $name }
teachers-none = No teachers assigned yet.
